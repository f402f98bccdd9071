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

/** A pipeline that keeps up to `capacity` events/s: above it, lag grows and sends run late. */
function runAgainst(search: RateSearch, capacity: number, maxSteps = 20): void {
  for (let i = 0; i < maxSteps && search.current().phase === "searching"; i++) {
    const state = search.current();
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
  it("climbs by the factor while steps are sustained, stops at the first failure and holds a share of the best", () => {
    const search = new RateSearch(load);
    expect(search.lastStep()).toBeUndefined();
    runAgainst(search, 5_000);
    expect(search.lastStep()).toMatchObject({ ratePerSec: 8_000, sustained: false });
    expect(search.result()).toEqual({
      foundRatePerSec: 4_000,
      heldRatePerSec: 3_600,
      steps: [
        { ratePerSec: 1_000, sustained: true, reason: "sustained" },
        { ratePerSec: 2_000, sustained: true, reason: "sustained" },
        { ratePerSec: 4_000, sustained: true, reason: "sustained" },
        {
          ratePerSec: 8_000,
          sustained: false,
          reason:
            "achieved 5,000/s (62.5 % of the target); consumer lag kept growing; send delay p99 2.5 s over 1 s",
        },
      ],
    });
    expect(search.current()).toEqual({
      phase: "holding",
      ratePerSec: 3_600,
      foundRatePerSec: 4_000,
      startedAtMs: 40_000,
      endsAtMs: 100_000,
    });
  });

  it("builds the curve the driver follows: each step at its rate, then the hold, then nothing", () => {
    const search = new RateSearch(load);
    runAgainst(search, 5_000);
    expect(
      [5_000, 15_000, 25_000, 35_000, 45_000, 99_999, 100_000].map((t) => search.curve.rateAt(t)),
    ).toEqual([1_000, 2_000, 4_000, 8_000, 3_600, 3_600, 0]);
    expect(search.curve.countAt(100_000)).toBeCloseTo(10_000 + 20_000 + 40_000 + 80_000 + 216_000, 6);
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

  it("searches downwards when the first step fails", () => {
    const search = new RateSearch(load);
    runAgainst(search, 300);
    const result = search.result();
    expect(result?.steps.map((s) => [s.ratePerSec, s.sustained])).toEqual([
      [1_000, false],
      [500, false],
      [250, true],
    ]);
    expect(result?.foundRatePerSec).toBe(250);
    expect(result?.heldRatePerSec).toBe(225);
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
    search.observe({ atMs: 20_000, ratePerSec: 2_000, lagGrowing: false, sendDelayP99Ms: 101 });
    expect(search.result()?.steps.map((s) => s.sustained)).toEqual([true, false]);
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
