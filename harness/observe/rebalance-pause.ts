import type { FaultRecord, RebalancePause, Series } from "../result/types.ts";

/** Faults that change the group's membership, so each makes the group rebalance. */
const MEMBERSHIP_ACTIONS: readonly FaultRecord["action"][] = [
  "add-consumer",
  "remove-consumer",
  "kill-consumer",
  "restart-consumer",
];

/** How far back "just before" reaches for the lag before a change. */
const BEFORE_S = 2;
/** Samples further apart than this leave a hole in the series. */
const HOLE_S = 1.5;

/**
 * The pause each membership change caused: the lag just before it, the peak lag in the `horizonS` seconds
 * after it, and how long the aggregated rate stayed below half its level before. The aggregator publishes
 * once a window, so the aggregated rate is taken as a mean over one window (`windowS`) ending at each
 * second: a stop of P seconds (P at least half a window) keeps that mean below half for about P seconds.
 * A figure the series cannot give (no sample, a hole, nothing aggregated before) is null with the reason.
 */
export function rebalancePauses(
  series: Series,
  faults: readonly FaultRecord[],
  windowS: number,
  horizonS = 10,
): RebalancePause[] {
  const span = Math.max(1, windowS);
  const meanRate = (i: number) => {
    const t = series.t[i] ?? 0;
    const inWindow = series.t.flatMap((u, j) =>
      u > t - span && u <= t ? [series.aggregatedRate[j] ?? 0] : [],
    );
    return inWindow.reduce((a, b) => a + b, 0) / inWindow.length;
  };
  return faults
    .filter((f) => f.error === undefined && MEMBERSHIP_ACTIONS.includes(f.action))
    .map((fault) => {
      const atS = fault.atMs / 1000;
      const gaps: string[] = [];
      const lagBefore = lastKnown(series, atS - BEFORE_S, atS);
      if (lagBefore === null) gaps.push(`no lag was measured in the ${BEFORE_S} s before the change`);
      const lagAfter = series.t.flatMap((t, i) => {
        const v = series.lagOffsets[i];
        return t >= atS && t <= atS + horizonS && v !== null && v !== undefined ? [v] : [];
      });
      if (lagAfter.length === 0) gaps.push(`no lag was measured in the ${horizonS} s after the change`);

      const pause = pauseAfter(series, atS, span, horizonS, meanRate);
      if (pause.reason) gaps.push(pause.reason);
      return {
        atS,
        action: fault.action,
        target: fault.target,
        lagBeforeOffsets: lagBefore,
        peakLagAfterOffsets: lagAfter.length === 0 ? null : Math.max(...lagAfter),
        horizonS,
        rateBefore: pause.rateBefore,
        pauseS: pause.pauseS,
        gaps,
      };
    });
}

/** The newest known lag with from ≤ t < to. */
function lastKnown(series: Series, from: number, to: number): number | null {
  let found: number | null = null;
  series.t.forEach((t, i) => {
    const v = series.lagOffsets[i];
    if (t >= from && t < to && v !== null && v !== undefined) found = v;
  });
  return found;
}

function pauseAfter(
  series: Series,
  atS: number,
  span: number,
  horizonS: number,
  meanRate: (i: number) => number,
): { rateBefore: number | null; pauseS: number | null; reason?: string } {
  const before = series.t.flatMap((t, i) => (t >= atS - span && t < atS ? [i] : []));
  if (before.length < Math.floor(span)) {
    return {
      rateBefore: null,
      pauseS: null,
      reason: `the aggregated rate was sampled in ${before.length} of the ${span} s before the change`,
    };
  }
  const hole = series.t.findIndex(
    (t, i) =>
      i > 0 &&
      t > atS - span &&
      t - (series.t[i - 1] ?? t) > HOLE_S &&
      (series.t[i - 1] ?? t) < atS + horizonS,
  );
  if (hole > 0) {
    return {
      rateBefore: null,
      pauseS: null,
      reason: `no sample between ${series.t[hole - 1]} s and ${series.t[hole]} s: the pause cannot be measured`,
    };
  }
  const rateBefore = Math.round(
    before.reduce((sum, i) => sum + (series.aggregatedRate[i] ?? 0), 0) / before.length,
  );
  if (rateBefore <= 0) {
    return {
      rateBefore: 0,
      pauseS: null,
      reason: `nothing was aggregated in the ${span} s before the change: no level to compare the rate with`,
    };
  }
  const after = series.t.flatMap((t, i) => (t >= atS ? [i] : []));
  const low = after.find((i) => (series.t[i] ?? 0) <= atS + horizonS && meanRate(i) < rateBefore / 2);
  if (low === undefined) return { rateBefore, pauseS: 0 };
  const recovered = after.find((i) => i > low && meanRate(i) >= rateBefore / 2);
  if (recovered === undefined) {
    return {
      rateBefore,
      pauseS: null,
      reason: `the aggregated rate was still below half of ${rateBefore}/s at ${series.t.at(-1)} s, the last sample`,
    };
  }
  return { rateBefore, pauseS: Math.round(((series.t[recovered] ?? 0) - (series.t[low] ?? 0)) * 10) / 10 };
}
