import { describe, expect, it } from "vitest";
import { LabError } from "../core/errors.ts";
import type { StepLoad } from "../scenario/types.ts";
import { curveOf, describeLoad, expectedCount, rateAt } from "./profile.ts";
import { RateSearch } from "./rate-search.ts";

describe("rateAt and expectedCount", () => {
  it("constant: the rate until the end, nothing after", () => {
    const load = { kind: "constant", rate: 200 } as const;
    expect(rateAt(load, 0, 20_000)).toBe(200);
    expect(rateAt(load, 19_999, 20_000)).toBe(200);
    expect(rateAt(load, 20_000, 20_000)).toBe(0);
    expect(expectedCount(load, 20_000)).toBeCloseTo(4_000, 9);
  });

  it("ramp: linear over the whole duration", () => {
    const load = { kind: "ramp", from: 100, to: 300 } as const;
    expect(rateAt(load, 5_000, 10_000)).toBeCloseTo(200, 9);
    expect(expectedCount(load, 10_000)).toBeCloseTo(2_000, 9);
  });

  it("step: each rate for its hold, the last one until the end, and steps past the end cut", () => {
    const load: StepLoad = {
      kind: "step",
      steps: [
        { rate: 100, holdMs: 2_000 },
        { rate: 400, holdMs: 1_000 },
      ],
    };
    expect(rateAt(load, 1_999, 10_000)).toBe(100);
    expect(rateAt(load, 2_000, 10_000)).toBe(400);
    expect(rateAt(load, 9_000, 10_000)).toBe(400);
    expect(expectedCount(load, 10_000)).toBeCloseTo(200 + 8 * 400, 9);
    expect(expectedCount(load, 1_000)).toBeCloseTo(100, 9);
  });

  it("spike: base, peak for its length, base again", () => {
    const load = { kind: "spike", base: 100, peak: 1_000, atMs: 3_000, forMs: 2_000 } as const;
    expect([1_000, 3_000, 4_999, 5_000].map((t) => rateAt(load, t, 10_000))).toEqual([
      100, 1_000, 1_000, 100,
    ]);
    expect(expectedCount(load, 10_000)).toBeCloseTo(8 * 100 + 2 * 1_000, 9);
    expect(curveOf(load, 4_000).countAt(10_000)).toBeCloseTo(300 + 1_000, 9);
  });

  it("search: follows the search's steps, and cannot be answered without it", () => {
    const load = {
      kind: "search",
      startRate: 100,
      factor: 2,
      stepMs: 1_000,
      maxRate: 1_000,
      holdShare: 0.5,
      holdMs: 1_000,
    } as const;
    expect(() => rateAt(load, 0, 10_000)).toThrow(LabError);
    const search = new RateSearch(load);
    expect(rateAt(load, 500, 10_000, search)).toBe(100);
    search.observe({ atMs: 1_000, ratePerSec: 100, lagGrowing: false, sendDelayP99Ms: 1 });
    expect(rateAt(load, 1_500, 10_000, search)).toBe(200);
    expect(expectedCount(load, 2_000, search)).toBeCloseTo(300, 9);
  });
});

describe("describeLoad", () => {
  it("says each profile in one line", () => {
    expect(describeLoad({ kind: "constant", rate: 2_000 }, 90_000)).toBe("constant 2,000/s");
    expect(describeLoad({ kind: "ramp", from: 0, to: 500 }, 60_000)).toBe("ramp 0/s → 500/s over 1m");
    expect(describeLoad({ kind: "spike", base: 10, peak: 90, atMs: 5_000, forMs: 2_000 }, 9_000)).toBe(
      "10/s with a spike to 90/s at 5s for 2s",
    );
    expect(
      describeLoad(
        {
          kind: "search",
          startRate: 2_000,
          factor: 1.5,
          stepMs: 10_000,
          maxRate: 200_000,
          holdShare: 0.9,
          holdMs: 60_000,
        },
        240_000,
      ),
    ).toBe(
      "search from 2,000/s ×1.5 every 10s up to 200,000/s, then 90 % of the highest sustained rate for 1m",
    );
  });
});
