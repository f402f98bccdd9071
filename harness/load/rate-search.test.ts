import { describe, expect, it } from "vitest";
import type { SearchLoad } from "../scenario/types.ts";
import { RateSearch, type StepObservation } from "./rate-search.ts";

const load: SearchLoad = {
  kind: "search",
  startRate: 1_000,
  factor: 2,
  stepMs: 10_000,
  maxRate: 20_000,
  holdShare: 0.9,
  holdMs: 60_000,
};

/** A recovery at rate 0 after a failing step lasts one step. */
const RECOVERY_MS = load.stepMs;

/** A pipeline that keeps up to `capacity` events/s: above it, lag grows and sends run late. */
function runAgainst(search: RateSearch, capacity: number, maxSteps = 20): void {
  for (let i = 0; i < maxSteps; i++) {
    const state = search.current();
    if (state.phase === "recovering") {
      search.recovered("caught up");
      continue;
    }
    if (state.phase !== "searching") break;
    const over = state.ratePerSec > capacity;
    const seen: StepObservation = {
      atMs: state.stepStartedAtMs + load.stepMs,
      ratePerSec: over ? capacity : state.ratePerSec,
      lagGrowing: over,
      sendDelayP99Ms: over ? 2_500 : 4,
    };
    search.observe(seen);
  }
}

describe("RateSearch", () => {
  it("climbs by the factor, then bisects between the best sustained and the lowest failing rate until within 5 %", () => {
    const search = new RateSearch(load);
    expect(search.lastStep()).toBeUndefined();
    runAgainst(search, 5_000);
    const result = search.result();
    expect(result?.steps.map((s) => [s.ratePerSec, s.sustained])).toEqual([
      [1_000, true],
      [2_000, true],
      [4_000, true],
      [8_000, false],
      [6_000, false],
      [5_000, true],
      [5_500, false],
      [5_250, false],
    ]);
    expect(result?.steps[3]?.reason).toBe(
      "achieved 5,000/s (62.5 % of the target); consumer lag kept growing; send delay p99 2.5 s over 1 s; caught up",
    );
    expect(result).toMatchObject({ foundRatePerSec: 5_000, heldRatePerSec: 4_500 });
    // Four failing steps, each followed by a recovery: the hold starts after the last one.
    expect(search.current()).toEqual({
      phase: "holding",
      ratePerSec: 4_500,
      foundRatePerSec: 5_000,
      startedAtMs: 80_000 + 4 * RECOVERY_MS,
      endsAtMs: 140_000 + 4 * RECOVERY_MS,
    });
  });

  it("finds a capacity off the grid to within 5 %, wherever it lies", () => {
    for (const capacity of [2_345, 7_777, 13_001]) {
      const search = new RateSearch(load);
      runAgainst(search, capacity, 40);
      const steps = search.result()?.steps ?? [];
      const found = search.result()?.foundRatePerSec ?? 0;
      const lowestFailing = Math.min(...steps.filter((s) => !s.sustained).map((s) => s.ratePerSec));
      expect(found).toBeLessThanOrEqual(capacity);
      expect(lowestFailing).toBeGreaterThan(capacity);
      expect((lowestFailing - found) / found).toBeLessThanOrEqual(0.05);
    }
  });

  it("builds the curve the driver follows: each step at its rate, rate 0 after each failing one, then the hold, then nothing", () => {
    const search = new RateSearch(load);
    runAgainst(search, 5_000);
    // Steps of 1k, 2k, 4k (0–30 s), 8k (fails, 30–40 s, rate 0 to 50 s), 6k (fails, 50–60 s, rate 0 to
    // 70 s), 5k (70–80 s), 5.5k (fails, 80–90 s, rate 0 to 100 s), 5.25k (fails, 100–110 s, rate 0 to
    // 120 s), hold 120–180 s.
    const times = [5_000, 15_000, 25_000, 35_000, 45_000, 55_000, 65_000, 75_000, 85_000, 95_000, 105_000];
    expect([...times, 115_000, 125_000, 179_999, 180_000].map((t) => search.curve.rateAt(t))).toEqual([
      1_000, 2_000, 4_000, 8_000, 0, 6_000, 0, 5_000, 5_500, 0, 5_250, 0, 4_500, 4_500, 0,
    ]);
    expect(search.curve.countAt(180_000)).toBeCloseTo(10 * 36_750 + 60 * 4_500, 6);
  });

  it("after a failing step, is at rate 0 for a step's length, then starts what it decided, noting how it went", () => {
    const search = new RateSearch(load);
    search.observe({ atMs: 10_000, ratePerSec: 1_000, lagGrowing: false, sendDelayP99Ms: 3 });
    search.observe({ atMs: 20_000, ratePerSec: 1_400, lagGrowing: true, sendDelayP99Ms: 3_000 });
    const next = { phase: "searching", ratePerSec: 1_500, stepIndex: 2, stepStartedAtMs: 30_000 };
    expect(search.current()).toEqual({ phase: "recovering", startedAtMs: 20_000, untilMs: 30_000, next });
    expect([19_999, 20_000, 29_999, 30_000].map((t) => search.curve.rateAt(t))).toEqual([2_000, 0, 0, 1_500]);
    expect(search.result()).toBeUndefined(); // a step follows: the search goes on
    search.observe({ atMs: 21_000, ratePerSec: 0, lagGrowing: false, sendDelayP99Ms: 0 });
    expect(search.current().phase).toBe("recovering");
    expect(search.recovered("then 10 s at rate 0")).toEqual(next);
    expect(search.lastStep()?.reason).toMatch(/send delay p99 3 s over 1 s; then 10 s at rate 0$/);
    expect(search.recovered("ignored")).toEqual(next);
  });

  it("recovers before the hold, too, when the search ends on a failing step", () => {
    // 1,000/s sustained, 1,040/s not: within 5 %, so the search is over, and the hold follows a recovery.
    const search = new RateSearch({ ...load, factor: 1.04 });
    search.observe({ atMs: 10_000, ratePerSec: 1_000, lagGrowing: false, sendDelayP99Ms: 3 });
    search.observe({ atMs: 20_000, ratePerSec: 1_040, lagGrowing: true, sendDelayP99Ms: 3 });
    const hold = {
      phase: "holding",
      ratePerSec: 900,
      foundRatePerSec: 1_000,
      startedAtMs: 30_000,
      endsAtMs: 90_000,
    };
    expect(search.current()).toEqual({
      phase: "recovering",
      startedAtMs: 20_000,
      untilMs: 30_000,
      next: hold,
    });
    expect(search.curve.rateAt(25_000)).toBe(0);
    expect(search.result()).toMatchObject({ foundRatePerSec: 1_000, heldRatePerSec: 900 });
    expect(search.result()?.hold).toBeUndefined();
    expect(search.recovered("caught up")).toEqual(hold);
  });

  it("goes straight to done, with no recovery, when no rate was sustained", () => {
    const search = new RateSearch({ ...load, startRate: 1 });
    expect(search.observe({ atMs: 10_000, ratePerSec: 0, lagGrowing: true, sendDelayP99Ms: 3 })).toEqual({
      phase: "done",
      foundRatePerSec: 0,
    });
  });

  it("stops at the maximum rate when every step is sustained", () => {
    const search = new RateSearch(load);
    runAgainst(search, 1e9);
    const result = search.result();
    expect(result?.steps.map((s) => s.ratePerSec)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000]);
    expect(result?.steps.at(-1)?.reason).toBe("sustained; reached the maximum rate");
    expect(result?.foundRatePerSec).toBe(20_000);
    expect(result?.heldRatePerSec).toBe(18_000);
  });

  it("searches downwards when the first step fails, then bisects upwards", () => {
    const search = new RateSearch(load);
    runAgainst(search, 300);
    const result = search.result();
    expect(result?.steps.slice(0, 4).map((s) => [s.ratePerSec, s.sustained])).toEqual([
      [1_000, false],
      [500, false],
      [250, true],
      [375, false],
    ]);
    expect(result?.foundRatePerSec).toBeGreaterThanOrEqual(300 / 1.05);
    expect(result?.foundRatePerSec).toBeLessThanOrEqual(300);
  });

  it("ends with nothing found when no rate is sustained", () => {
    const search = new RateSearch(load);
    runAgainst(search, 0);
    expect(search.current()).toEqual({ phase: "done", foundRatePerSec: 0 });
    expect(search.result()?.heldRatePerSec).toBe(0);
    expect(search.result()?.steps.at(-1)?.reason).toMatch(/no rate down to 1\/s was sustained$/);
    expect(search.curve.rateAt(1e9)).toBe(0);
  });

  it("starts no step that would push the hold past the run's budget", () => {
    const search = new RateSearch(load, 100_000);
    runAgainst(search, 1e9);
    const result = search.result();
    expect(result?.steps.map((s) => s.ratePerSec)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(result?.steps.at(-1)?.reason).toBe("sustained; no time left in the run for another step");
    expect(search.current()).toMatchObject({ phase: "holding", ratePerSec: 7_200, endsAtMs: 100_000 });
  });

  it("judges a step by the achieved share and send delay alone, too", () => {
    const search = new RateSearch(load, Infinity, { minAchievedShare: 0.9, maxSendDelayP99Ms: 100 });
    search.observe({ atMs: 10_000, ratePerSec: 910, lagGrowing: false, sendDelayP99Ms: 100 });
    expect(search.lastStep()?.sustained).toBe(true);
    search.observe({ atMs: 20_000, ratePerSec: 2_000, lagGrowing: false, sendDelayP99Ms: 101 });
    expect(search.lastStep()?.sustained).toBe(false);
  });

  it("describes the hold apart from the search: its target and its own achieved rate", () => {
    const search = new RateSearch(load);
    search.observeHoldSecond(99_999);
    runAgainst(search, 5_000);
    expect(search.result()?.hold).toBeUndefined();
    for (const rate of [4_400, 4_500, 4_600]) search.observeHoldSecond(rate);
    expect(search.result()?.hold).toEqual({ targetPerSec: 4_500, achievedPerSec: 4_500, seconds: 3 });
  });

  it("has no result while searching and ignores observations once holding", () => {
    const search = new RateSearch(load);
    expect(search.result()).toBeUndefined();
    runAgainst(search, 1_500);
    const holding = search.current();
    search.observe({ atMs: 90_000, ratePerSec: 0, lagGrowing: true, sendDelayP99Ms: 0 });
    expect(search.current()).toEqual(holding);
  });
});
