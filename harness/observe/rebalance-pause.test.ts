import { describe, expect, it } from "vitest";
import type { FaultRecord } from "../faults/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { rebalancePauses } from "./rebalance-pause.ts";
import type { Series } from "./types.ts";

function series(t: number[], rate: (t: number) => number, lag: (t: number) => number | null): Series {
  return {
    ...sampleResult().series,
    t,
    aggregatedRate: t.map(rate),
    lagOffsets: t.map(lag),
  };
}

const seconds = (n: number) => Array.from({ length: n }, (_, i) => i);
const add: FaultRecord = { atMs: 10_000, action: "add-consumer", target: "consumer:1", pid: 42 };

describe("rebalancePauses", () => {
  it("measures the pause against the usual quiet between windows, which it leaves out", () => {
    // A window commits every 5 s (t 0, 5, 10 …); after the join at 12 s the next commit comes at 24 s, not 15.
    const commits = new Set([0, 5, 10, 24, 25, 30, 35]);
    const s = series(
      seconds(40),
      (t) => (commits.has(t) ? 2_500 : 0),
      () => 1_000,
    );
    const [pause] = rebalancePauses(s, [{ ...add, atMs: 12_000 }], 5);
    expect(pause).toMatchObject({ rateBefore: 500, pauseS: 9, gaps: [] });
  });

  it("measures the pause: nothing aggregated for 4 s after a join, and the lag it left", () => {
    const s = series(
      seconds(30),
      (t) => (t >= 10 && t < 14 ? 0 : 500),
      (t) => (t >= 10 && t < 16 ? 300 + (t - 10) * 500 : 300),
    );
    const [pause] = rebalancePauses(s, [add], 5);
    expect(pause).toEqual({
      atS: 10,
      action: "add-consumer",
      target: "consumer:1",
      lagBeforeOffsets: 300,
      peakLagAfterOffsets: 2_800,
      horizonS: 10,
      rateBefore: 500,
      pauseS: 4,
      gaps: [],
    });
  });

  it("gives 0 s when the rate never fell below half, and leaves out faults that are no membership change", () => {
    const s = series(
      seconds(30),
      () => 500,
      () => 300,
    );
    const faults: FaultRecord[] = [
      add,
      { atMs: 12_000, action: "stop-consumer", target: "consumer:0" },
      { atMs: 14_000, action: "remove-consumer", target: "consumer:1", error: "not applied" },
      { atMs: 18_000, action: "kill-consumer", target: "consumer:0" },
    ];
    const pauses = rebalancePauses(s, faults, 5);
    expect(pauses.map((p) => [p.action, p.pauseS])).toEqual([
      ["add-consumer", 0],
      ["kill-consumer", 0],
    ]);
  });

  it("reports a gap with the reason where samples are missing, instead of a pause", () => {
    const t = [...seconds(10), 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
    const s = series(
      t,
      () => 500,
      (u) => (u < 10 ? null : 300),
    );
    const [pause] = rebalancePauses(s, [add], 5);
    expect(pause).toMatchObject({ lagBeforeOffsets: null, pauseS: null, rateBefore: null });
    expect(pause?.gaps).toEqual([
      "no lag was measured in the 2 s before the change",
      "no sample between 9 s and 14 s: the pause cannot be measured",
    ]);
  });

  it("reports a gap when nothing was aggregated before the change, or the rate never recovered", () => {
    /** The join's pause in `n` s of samples aggregating `rate` events/s, the lag steady. */
    const pauseIn = (n: number, rate: (t: number) => number) =>
      rebalancePauses(
        series(seconds(n), rate, () => 300),
        [add],
        5,
      )[0];
    const early = pauseIn(30, (t) => (t < 10 ? 0 : 500));
    expect(early).toMatchObject({ rateBefore: 0, pauseS: null });
    expect(early?.gaps).toEqual([
      "fewer than two aggregates were published in the 10 s before the change: no usual quiet to compare with",
    ]);
    const stuck = pauseIn(20, (t) => (t < 10 ? 500 : 0));
    expect(stuck?.pauseS).toBeNull();
    expect(stuck?.gaps).toEqual(["nothing was aggregated after the change until 19 s, the last sample"]);
  });
});
