import { describe, expect, it } from "vitest";
import { faultsAssertion, faultTimes } from "./faults.ts";

describe("faultTimes", () => {
  const steps = [
    { atMs: 1_000, action: "kill-consumer" as const, target: "consumer:0" },
    { atMs: 5_000, action: "kill-consumer" as const, target: "consumer:0", jitterMs: 3_000 },
    { atMs: 12_000, action: "kill-consumer" as const, target: "consumer:0", jitterMs: 3_000 },
  ];

  it("keeps a fixed time and draws a jittered one from the seed, within [atMs, atMs + jitterMs)", () => {
    const times = faultTimes(steps, 7);
    expect(times[0]).toBe(1_000);
    expect(times[1]).toBeGreaterThanOrEqual(5_000);
    expect(times[1]).toBeLessThan(8_000);
    expect(times[2]).toBeGreaterThanOrEqual(12_000);
    expect(times[2]).toBeLessThan(15_000);
  });

  it("draws the same moments for the same seed and others for another", () => {
    expect(faultTimes(steps, 7)).toEqual(faultTimes(steps, 7));
    const seeds = [1, 2, 3, 4, 5].map((seed) => faultTimes(steps, seed).join(","));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe("faultsAssertion", () => {
  it("is absent when the scenario has no faults", () => {
    expect(faultsAssertion([])).toBeUndefined();
  });

  it("passes when every fault was applied", () => {
    const assertion = faultsAssertion([
      { atMs: 1_000, action: "stop-consumer", target: "consumer:0", pid: 10, signal: "SIGSTOP" },
    ]);
    expect(assertion).toMatchObject({ name: "faults applied as scheduled", pass: true, observed: "1 of 1" });
  });

  it("fails by name, listing each fault that was not applied and why", () => {
    const assertion = faultsAssertion([
      { atMs: 1_000, action: "stop-consumer", target: "consumer:0", pid: 10, signal: "SIGSTOP" },
      { atMs: 2_500, action: "kill-consumer", target: "consumer:1", error: "consumer-1 is not running" },
    ]);
    expect(assertion?.pass).toBe(false);
    expect(assertion?.observed).toBe("1 of 2");
    expect(assertion?.detail).toBe("kill-consumer consumer:1 at 2.5 s: consumer-1 is not running");
  });
});
