import type { FaultRecord } from "../faults/types.ts";
import type { RebalancePause, Series } from "./types.ts";

/** Faults that change the group's membership, so each makes the group rebalance. */
const MEMBERSHIP_ACTIONS: readonly FaultRecord["action"][] = [
  "add-consumer",
  "remove-consumer",
  "kill-consumer",
  "restart-consumer",
];

/** How far back "just before" reaches for the lag before a change. */
const BEFORE_S = 2;
/**
 * Samples further apart than this leave a hole: what was aggregated in between lands in the next sample, so
 * a quiet could hide in it. A slow second (a sample every 1.6 s on a busy machine) only blurs the figure.
 */
const HOLE_S = 2.5;

/**
 * The pause each membership change caused: the lag just before it, the peak lag in the `horizonS` seconds
 * after it, and how much longer than usual nothing was aggregated. The aggregator publishes once a window
 * (`windowS`), so the aggregated rate is 0 between commits anyway: the usual quiet is the longest one over
 * the two windows before the change, and the pause is how far the longest quiet from the change on (within
 * the horizon) exceeds it. A figure the series cannot give (no sample, a hole, too little aggregated
 * before) is null with the reason.
 */
export function rebalancePauses(
  series: Series,
  faults: readonly FaultRecord[],
  windowS: number,
  horizonS = 10,
): RebalancePause[] {
  const before = 2 * Math.max(1, windowS);
  return faults
    .filter((f) => f.error === undefined && MEMBERSHIP_ACTIONS.includes(f.action))
    .map((fault) => {
      const atS = Math.round(fault.atMs / 100) / 10;
      const gaps: string[] = [];
      const lagBefore = lastKnown(series, atS - BEFORE_S, atS);
      if (lagBefore === null) gaps.push(`no lag was measured in the ${BEFORE_S} s before the change`);
      const lagAfter = series.t.flatMap((t, i) => {
        const v = series.lagOffsets[i];
        return t >= atS && t <= atS + horizonS && v !== null && v !== undefined ? [v] : [];
      });
      if (lagAfter.length === 0) gaps.push(`no lag was measured in the ${horizonS} s after the change`);

      const pause = pauseAfter(series, atS, before, horizonS);
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
  beforeS: number,
  horizonS: number,
): { rateBefore: number | null; pauseS: number | null; reason?: string } {
  const { t } = series;
  const hole = t.findIndex(
    (u, i) => i > 0 && u > atS - beforeS && u - (t[i - 1] ?? u) > HOLE_S && (t[i - 1] ?? u) < atS + horizonS,
  );
  if (hole > 0) {
    return {
      rateBefore: null,
      pauseS: null,
      reason: `no sample between ${t[hole - 1]} s and ${t[hole]} s: the pause cannot be measured`,
    };
  }
  const before = t.flatMap((u, i) => (u >= atS - beforeS && u < atS ? [i] : []));
  if (before.length === 0)
    return { rateBefore: null, pauseS: null, reason: `no sample in the ${beforeS} s before the change` };
  const rateBefore = Math.round(
    before.reduce((sum, i) => sum + (series.aggregatedRate[i] ?? 0), 0) / beforeS,
  );
  // Seconds at which something was aggregated; a quiet is the time between two of them.
  const published = t.filter((_, i) => (series.aggregatedRate[i] ?? 0) > 0);
  const quiets = published.slice(1).map((u, k) => ({ from: published[k] ?? u, to: u }));
  const usual = quiets.filter((q) => q.from >= atS - beforeS && q.to < atS);
  if (usual.length === 0) {
    return {
      rateBefore,
      pauseS: null,
      reason: `fewer than two aggregates were published in the ${beforeS} s before the change: no usual quiet to compare with`,
    };
  }
  const lastPublished = published.at(-1) ?? 0;
  if (lastPublished < atS) {
    return {
      rateBefore,
      pauseS: null,
      reason: `nothing was aggregated after the change until ${t.at(-1)} s, the last sample`,
    };
  }
  const longest = (list: { from: number; to: number }[]) => Math.max(0, ...list.map((q) => q.to - q.from));
  const after = quiets.filter((q) => q.to > atS && q.from < atS + horizonS);
  const pauseS = Math.max(0, longest(after) - longest(usual));
  return { rateBefore, pauseS: Math.round(pauseS * 10) / 10 };
}
