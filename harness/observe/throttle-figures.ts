import type { Assertion } from "../core/assertion.ts";
import type { LagStatus, LagStatusChange, Series, ThrottleFigures } from "./types.ts";

/** The level before the throttle is the lag's highest over this many seconds before it (after the start-up). */
const BEFORE_S = 10;

/** Statuses that say the group is not keeping up. */
const BEHIND: readonly LagStatus[] = ["WARN", "STALL", "STOP"];

/** "0 s UNKNOWN → 2.1 s OK → 41 s WARN → 62 s OK": the lag status's changes over the run. */
export function statusTimeline(figures: ThrottleFigures): string {
  return figures.statusChanges.map((c) => `${c.t} s ${c.to}`).join(" → ");
}

/** Every change of the group's lag status in the per-second series, the first sample included. */
export function lagStatusChanges(series: Series): LagStatusChange[] {
  const changes: LagStatusChange[] = [];
  let previous: LagStatus | null = null;
  series.lagStatus.forEach((status, i) => {
    if (status === previous) return;
    changes.push({ t: series.t[i] ?? 0, from: previous, to: status });
    previous = status;
  });
  return changes;
}

/** The known (t, value) pairs of `values` with from ≤ t < to. */
function known(series: Series, values: (number | null)[], from: number, to: number): [number, number][] {
  return series.t.flatMap((t, i) => {
    const v = values[i];
    return t >= from && t < to && v !== null && v !== undefined ? [[t, v] as [number, number]] : [];
  });
}

/** Least-squares slope of value over t; null for fewer than 3 points. */
function slope(points: [number, number][]): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const meanT = points.reduce((s, [t]) => s + t, 0) / n;
  const meanV = points.reduce((s, [, v]) => s + v, 0) / n;
  const num = points.reduce((s, [t, v]) => s + (t - meanT) * (v - meanV), 0);
  const den = points.reduce((s, [t]) => s + (t - meanT) ** 2, 0);
  return den === 0 ? null : num / den;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * What a throttle from `startS` to `endS` did to the lag: how fast it grew (a least-squares line through
 * the seconds of the throttle), its peak, how long after the release it took to come back to its level
 * before (its highest over the 10 s before, as an aggregator that commits once a window swings), and
 * when the lag status went WARN or worse and back to OK. A figure the series cannot give is null, and
 * `gaps` says why.
 */
export function throttleFigures(series: Series, startS: number, endS: number): ThrottleFigures {
  const gaps: ThrottleFigures["gaps"] = [];
  const before = known(series, series.lagOffsets, startS - BEFORE_S, startS);
  const during = known(series, series.lagOffsets, startS, endS + 0.5);
  const duringSeconds = known(series, series.lagSeconds, startS, endS + 0.5);
  const after = known(series, series.lagOffsets, startS, Number.POSITIVE_INFINITY);
  const afterSeconds = known(series, series.lagSeconds, startS, Number.POSITIVE_INFINITY);

  const spanSeconds = Math.round(endS - startS);
  if (during.length < spanSeconds)
    gaps.push({
      figure: "growth",
      reason: `the lag was measured in ${during.length} of the throttle's ${spanSeconds} seconds`,
    });
  const growthOffsets = slope(during);
  const growthSeconds = slope(duringSeconds);
  if (growthOffsets === null)
    gaps.push({ figure: "growth", reason: "too few lag samples during the throttle for a growth rate" });
  if (growthSeconds === null && growthOffsets !== null)
    gaps.push({
      figure: "growth",
      reason: "too few lag-in-seconds samples during the throttle for a growth rate",
    });

  const levelBefore = before.length === 0 ? null : Math.max(...before.map(([, v]) => v));
  if (levelBefore === null)
    gaps.push({
      figure: "drain",
      reason: `no lag was measured in the ${BEFORE_S} s before the throttle: no level to drain back to`,
    });
  let drainMs: number | null = null;
  if (levelBefore !== null) {
    const released = after.filter(([t]) => t >= endS);
    const back = released.find(([, v]) => v <= levelBefore);
    if (back) drainMs = Math.round((back[0] - endS) * 1000);
    else if (released.length === 0)
      gaps.push({ figure: "drain", reason: "no lag was measured after the release" });
    else {
      const [lastT, lastV] = released.at(-1) as [number, number];
      gaps.push({
        figure: "drain",
        reason: `the lag never came back to ${levelBefore} offsets after the release (${lastV} at ${lastT} s, the last sample)`,
      });
    }
  }

  const { warnAtS, okAgainAtS } = statusEpisode(series, startS, endS, gaps);
  return {
    startS,
    endS,
    growthOffsetsPerS: growthOffsets === null ? null : round(growthOffsets, 1),
    growthLagSecondsPerS: growthSeconds === null ? null : round(growthSeconds, 3),
    peakLagOffsets: after.length === 0 ? null : Math.max(...after.map(([, v]) => v)),
    peakLagSeconds: afterSeconds.length === 0 ? null : Math.max(...afterSeconds.map(([, v]) => v)),
    levelBeforeOffsets: levelBefore,
    drainMs,
    warnAtS,
    okAgainAtS,
    statusChanges: lagStatusChanges(series),
    gaps,
  };
}

/** When the status first went WARN or worse within the throttle, and when it was first OK after that. */
function statusEpisode(series: Series, startS: number, endS: number, gaps: ThrottleFigures["gaps"]) {
  const during = series.t.flatMap((t, i) => (t >= startS && t <= endS + 0.5 ? [i] : []));
  const warnIndex = during.find((i) => BEHIND.includes(series.lagStatus[i] as LagStatus));
  if (warnIndex === undefined) {
    const seen = new Map<LagStatus, number>();
    for (const i of during) {
      const status = series.lagStatus[i] as LagStatus;
      seen.set(status, (seen.get(status) ?? 0) + 1);
    }
    gaps.push({
      figure: "status",
      reason:
        during.length === 0
          ? "no lag status was sampled during the throttle"
          : `the lag status was never WARN or worse during the throttle (${[...seen].map(([s, n]) => `${s} ${n} s`).join(", ")})`,
    });
    return { warnAtS: null, okAgainAtS: null };
  }
  const warnAtS = series.t[warnIndex] ?? null;
  const okIndex = series.lagStatus.findIndex((s, i) => i > warnIndex && s === "OK");
  if (okIndex < 0) {
    gaps.push({
      figure: "status",
      reason: `the lag status never came back to OK (${series.lagStatus.at(-1)} at ${series.t.at(-1)} s, the last sample)`,
    });
    return { warnAtS, okAgainAtS: null };
  }
  return { warnAtS, okAgainAtS: series.t[okIndex] ?? null };
}

/** The throttle's checks: WARN or worse while throttled, OK again before the run ended, drained in time. */
export function throttleAssertions(figures: ThrottleFigures, drainWithinMs: number): Assertion[] {
  const span = `${figures.startS}–${figures.endS} s`;
  const detail = (figure: ThrottleFigures["gaps"][number]["figure"], ...more: string[]) => {
    const reasons = [...figures.gaps.filter((g) => g.figure === figure).map((g) => g.reason), ...more];
    return reasons.length > 0 ? { detail: reasons.join("; ") } : {};
  };
  const timeline = `lag status over the run: ${statusTimeline(figures)}`;
  return [
    {
      name: `lag status WARN or worse during the throttle (${span})`,
      relation: "≤",
      expectedValue: figures.endS,
      observedValue: figures.warnAtS,
      unit: "s",
      expected: `WARN, STALL or STOP by ${figures.endS} s`,
      observed: figures.warnAtS === null ? "never" : `from ${figures.warnAtS} s`,
      pass: figures.warnAtS !== null && figures.warnAtS <= figures.endS + 0.5,
      ...detail("status", timeline),
    },
    {
      name: `lag status back to OK after the throttle (${span})`,
      relation: "≥",
      expectedValue: figures.warnAtS ?? figures.endS,
      observedValue: figures.okAgainAtS,
      unit: "s",
      expected: "OK again before the run ended",
      observed: figures.okAgainAtS === null ? "never" : `OK at ${figures.okAgainAtS} s`,
      pass: figures.okAgainAtS !== null,
      ...detail("status", timeline),
    },
    {
      name: `lag drained after the throttle (${span})`,
      relation: "≤",
      expectedValue: drainWithinMs,
      observedValue: figures.drainMs,
      unit: "ms",
      expected: `back to the level before it (${figures.levelBeforeOffsets ?? "?"} offsets) within ${drainWithinMs / 1000} s of the release`,
      observed:
        figures.drainMs === null
          ? "never"
          : `${(figures.drainMs / 1000).toFixed(1)} s after a peak of ${figures.peakLagOffsets ?? "?"} offsets / ${figures.peakLagSeconds ?? "?"} s`,
      pass: figures.drainMs !== null && figures.drainMs <= drainWithinMs,
      ...detail("drain"),
    },
  ];
}
