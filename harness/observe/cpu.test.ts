import { describe, expect, it } from "vitest";
import { CpuMeter, parseCpuSeconds, rateLimiter, type StepLoad } from "./cpu.ts";

const METRICS = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
process_cpu_user_seconds_total 10.1
`;

describe("parseCpuSeconds", () => {
  it("reads process_cpu_seconds_total, not the user-only counter", () => {
    expect(parseCpuSeconds(METRICS)).toBe(12.5);
  });

  it("refuses a /metrics without it rather than reading 0", () => {
    expect(() => parseCpuSeconds("nodejs_heap_size_used_bytes 1\n")).toThrow(/no process_cpu_seconds_total/);
  });
});

describe("CpuMeter", () => {
  it("gives cores used between two readings and nothing for the first or after a restart", () => {
    const meter = new CpuMeter();
    expect(meter.cores("consumer-0", 10, 1_000)).toBeNull();
    expect(meter.cores("consumer-0", 10.5, 2_000)).toBeCloseTo(0.5);
    expect(meter.cores("consumer-0", 12.5, 3_000)).toBeCloseTo(2);
    // The process restarted: its counter went back.
    expect(meter.cores("consumer-0", 0.2, 4_000)).toBeNull();
    expect(meter.cores("consumer-0", 0.9, 5_000)).toBeCloseTo(0.7);
  });
});

const step = (over: Partial<StepLoad>): StepLoad => ({
  ratePerSec: 30_000,
  reason: "consumer lag kept growing",
  cpuCores: {},
  driverThreadBusy: null,
  ...over,
});

describe("rateLimiter", () => {
  it("names the aggregators when lag grew and one of them used a whole core", () => {
    const limit = rateLimiter(
      step({ cpuCores: { lab: 0.3, "consumer-0": 0.95, "consumer-1": 0.2, "broker-1": 0.3 } }),
      4,
    );
    expect(limit.by).toBe("aggregators");
    expect(limit.evidence).toContain("consumer-0 used 0.95 cores");
  });

  it("names the driver when it fell behind its schedule with its sending thread busy", () => {
    const limit = rateLimiter(
      step({
        reason: "send delay p99 1.3 s over 1.0 s",
        cpuCores: { lab: 1.2, "consumer-0": 0.4, "broker-1": 0.6 },
        driverThreadBusy: 0.97,
      }),
      4,
    );
    expect(limit).toEqual({
      by: "driver",
      evidence: expect.stringContaining("sending thread was busy 97 % of the time"),
    });
  });

  it("names the machine when every core was busy, and the part using most", () => {
    const limit = rateLimiter(
      step({ cpuCores: { lab: 0.5, "consumer-0": 0.6, "consumer-1": 0.5, "broker-1": 0.3 } }),
      2,
    );
    expect(limit.by).toBe("machine");
    expect(limit.evidence).toMatch(/all 2 cores were busy .* the aggregators using most/);
  });

  it("does not blame a part that had CPU to spare", () => {
    const limit = rateLimiter(
      step({
        reason: "send delay p99 2.0 s over 1.0 s",
        cpuCores: { lab: 0.4, "consumer-0": 0.95, "broker-1": 0.5 },
        driverThreadBusy: 0.4,
      }),
      8,
    );
    // The aggregator was busy, but the symptom was on the producing side.
    expect(limit.by).toBe("unknown");
    expect(limit.evidence).toContain("no part was out of CPU");
  });

  it("says when no CPU was measured instead of guessing", () => {
    expect(rateLimiter(step({}), 2)).toEqual({
      by: "unknown",
      evidence: expect.stringContaining("no process's CPU was measured"),
    });
  });
});
