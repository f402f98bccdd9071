import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.ts";
import type { PartitionLag } from "./lag-probe.ts";
import { LagSampler, type LagSource } from "./lag-sampler.ts";
import type { RecordTimestamps } from "./record-timestamps.ts";

function sampler(probe: LagSource, timestampAt: RecordTimestamps["timestampAt"], dueTimeMs?: number) {
  return new LagSampler({
    clock: new ManualClock(50_000),
    probe,
    recordTimestamps: { timestampAt, stop: async () => {} },
    inputStart: new Map([
      [0, 0n],
      [1, 0n],
    ]),
    windowMs: 5_000,
    dueTimes: { dueTime: () => dueTimeMs, forgetBelow: () => {} },
  });
}

const lag = (partition: number, position: bigint, offsets: number): PartitionLag => ({
  partition,
  end: position + BigInt(offsets),
  position,
  lag: offsets,
  owned: true,
});

describe("LagSampler", () => {
  it("gives every partition as a gap with the probe's reason, and status UNKNOWN, when the probe fails", async () => {
    const failing = sampler({ sample: async () => Promise.reject(new Error("broker gone")) }, async () => 0);
    const sample = await failing.sample();
    expect(sample.offsets).toEqual({ ok: false, reason: expect.stringContaining("broker gone") });
    expect(sample.seconds).toEqual({ ok: false, reason: expect.stringContaining("broker gone") });
    expect(sample.status).toBe("UNKNOWN");
    expect(sample.partitions.map((p) => p.lag)).toEqual([null, null]);
  });

  it("makes lag in seconds a gap, not 0, when neither a due time nor the record timestamp is known", async () => {
    const blind = sampler({ sample: async () => [lag(0, 10n, 3), lag(1, 5n, 0)] }, async () => ({
      unknown: "not read within 500 ms",
    }));
    const sample = await blind.sample();
    expect(sample.offsets).toEqual({ ok: true, value: 3 });
    expect(sample.seconds).toEqual({
      ok: false,
      reason: expect.stringContaining("partition 0: no due time for the oldest unconsumed event"),
    });
  });

  it("reads lag in seconds from the due time when the driver gave one", async () => {
    const sample = await sampler({ sample: async () => [lag(0, 10n, 3)] }, async () => 0, 46_000).sample();
    expect(sample.seconds).toEqual({ ok: true, value: 4 });
  });
});
