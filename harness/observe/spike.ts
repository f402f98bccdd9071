import type { Assertion } from "../core/assertion.ts";
import type { Series, SpikeFigures } from "./types.ts";

/**
 * What a load spike did to the lag: its peak from the spike's start on, and how long after the spike ended
 * the lag took to come back to where it stood before the spike (its highest level over the seconds before,
 * since an aggregator that commits once a window swings between 0 and a window's worth). Null with the
 * reason when it never came back or could not be measured.
 */
export function spikeFigures(series: Series, spikeStartS: number, spikeEndS: number): SpikeFigures {
  const known = (values: (number | null)[], from: number, to: number) =>
    series.t.flatMap((t, i) => {
      const v = values[i];
      return t >= from && t < to && v !== null && v !== undefined ? [[t, v] as const] : [];
    });
  const before = known(series.lagOffsets, 0, spikeStartS);
  const after = known(series.lagOffsets, spikeStartS, Number.POSITIVE_INFINITY);
  const peakOffsets = Math.max(0, ...after.map(([, v]) => v));
  const peakSeconds = Math.max(
    0,
    ...known(series.lagSeconds, spikeStartS, Number.POSITIVE_INFINITY).map(([, v]) => v),
  );
  const base = { peakLagOffsets: peakOffsets, peakLagSeconds: peakSeconds, spikeStartS, spikeEndS };
  if (before.length === 0) {
    return {
      ...base,
      levelBeforeOffsets: null,
      drainMs: null,
      reason: "no lag was measured before the spike",
    };
  }
  const levelBeforeOffsets = Math.max(...before.map(([, v]) => v));
  const back = after.find(([t, v]) => t >= spikeEndS && v <= levelBeforeOffsets);
  return back
    ? { ...base, levelBeforeOffsets, drainMs: Math.round((back[0] - spikeEndS) * 1000) }
    : {
        ...base,
        levelBeforeOffsets,
        drainMs: null,
        reason: `the lag never came back to ${levelBeforeOffsets} offsets after the spike`,
      };
}

export function spikeAssertion(figures: SpikeFigures, withinMs: number): Assertion {
  return {
    name: "lag drained after the spike",
    relation: "≤",
    expectedValue: withinMs,
    observedValue: figures.drainMs,
    unit: "ms",
    expected: `back to the level before it (${figures.levelBeforeOffsets ?? "?"} offsets) within ${withinMs / 1000} s`,
    observed:
      figures.drainMs === null
        ? "never"
        : `${(figures.drainMs / 1000).toFixed(1)} s after a peak of ${figures.peakLagOffsets} offsets / ${figures.peakLagSeconds} s`,
    pass: figures.drainMs !== null && figures.drainMs <= withinMs,
    ...(figures.reason ? { detail: figures.reason } : {}),
  };
}
