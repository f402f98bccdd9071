import { describe, expect, it } from "vitest";
import { evaluateThresholds, type ObservedFigures } from "./thresholds.ts";

const observed: ObservedFigures = {
  maxLagOffsets: 4_213,
  maxLagSeconds: 2.5,
  drainMs: 12_400,
  targetPerSec: 2_000,
  achievedPerSec: 1_946,
  p99Ms: 850,
  lost: 0,
  duplicated: 0,
};

describe("evaluateThresholds", () => {
  it("checks only the thresholds that are set; exactness by default", () => {
    expect(evaluateThresholds({ exact: false }, observed)).toEqual([]);
    const noneAndNoneSeen = (name: string) => ({
      name,
      relation: "=",
      expectedValue: 0,
      observedValue: 0,
      unit: "events",
      expected: "0",
      observed: "0",
      pass: true,
    });
    expect(evaluateThresholds({ exact: true }, observed)).toEqual([
      noneAndNoneSeen("events lost"),
      noneAndNoneSeen("events counted twice"),
    ]);
  });

  it("writes each limit and figure for a person, and passes them when within", () => {
    const assertions = evaluateThresholds(
      {
        maxLagOffsets: 5_000,
        maxLagSeconds: 10,
        drainWithinMs: 30_000,
        minAchievedRateShare: 0.95,
        minAchievedRate: 1_900,
        maxP99LatencyMs: 2_000,
        exact: false,
      },
      observed,
    );
    expect(assertions.map((a) => [a.name, a.expected, a.observed, a.pass])).toEqual([
      ["max consumer lag (offsets)", "≤ 5,000", "4,213", true],
      ["max consumer lag (seconds)", "≤ 10 s", "2.5 s", true],
      ["drain time after the load", "≤ 30,000 ms", "12,400 ms", true],
      ["achieved rate ÷ target", "≥ 95 %", "97.3 % (1,946/s of 2,000/s)", true],
      ["achieved rate", "≥ 1,900/s", "1,946/s", true],
      ["end-to-end latency p99", "≤ 2,000 ms", "850 ms", true],
    ]);
    expect(assertions.map((a) => [a.relation, a.expectedValue, a.observedValue, a.unit])).toEqual([
      ["≤", 5_000, 4_213, "offsets"],
      ["≤", 10, 2.5, "s"],
      ["≤", 30_000, 12_400, "ms"],
      ["≥", 0.95, 1_946 / 2_000, "share"],
      ["≥", 1_900, 1_946, "events/s"],
      ["≤", 2_000, 850, "ms"],
    ]);
  });

  it("fails a lag limit it could not check, saying the lag was never read", () => {
    const unread = { ...observed, maxLagOffsets: null, maxLagSeconds: null };
    const assertions = evaluateThresholds({ maxLagOffsets: 5_000, maxLagSeconds: 10, exact: false }, unread);
    expect(assertions.map((a) => [a.name, a.observedValue, a.pass])).toEqual([
      ["max consumer lag (offsets)", null, false],
      ["max consumer lag (seconds)", null, false],
    ]);
    for (const a of assertions) expect(a.observed).toMatch(/^not measured: no sample read the lag/);
  });

  it("fails a latency limit when no window was committed, instead of reading the empty histogram's 0", () => {
    const [p99] = evaluateThresholds({ maxP99LatencyMs: 2_000, exact: false }, { ...observed, p99Ms: null });
    expect(p99).toMatchObject({ observedValue: null, observed: "not measured: no window was committed" });
    expect(p99?.pass).toBe(false);
  });

  it("fails each threshold that is crossed", () => {
    const worse = {
      ...observed,
      maxLagOffsets: 5_001,
      achievedPerSec: 1_800,
      p99Ms: 2_001,
      lost: 3,
      duplicated: 1,
    };
    const assertions = evaluateThresholds(
      { maxLagOffsets: 5_000, minAchievedRateShare: 0.95, maxP99LatencyMs: 2_000, exact: true },
      worse,
    );
    expect(assertions.map((a) => [a.name, a.observed, a.pass])).toEqual([
      ["max consumer lag (offsets)", "5,001", false],
      ["achieved rate ÷ target", "90 % (1,800/s of 2,000/s)", false],
      ["end-to-end latency p99", "2,001 ms", false],
      ["events lost", "3", false],
      ["events counted twice", "1", false],
    ]);
  });

  it("fails the drain threshold when lag never reached zero", () => {
    const [drain] = evaluateThresholds(
      { drainWithinMs: 30_000, exact: false },
      { ...observed, drainMs: null },
    );
    expect(drain).toEqual({
      name: "drain time after the load",
      relation: "≤",
      expectedValue: 30_000,
      observedValue: null,
      unit: "ms",
      expected: "≤ 30,000 ms",
      observed: "never drained",
      pass: false,
    });
  });
});
