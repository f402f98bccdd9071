import { formatDuration } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { formatPercent, formatRate } from "../core/format.ts";
import type { FixedLoad, LoadProfile } from "../scenario/types.ts";
import { RateCurve, type RateSegment } from "./curve.ts";
import type { RateSearch } from "./rate-search.ts";

/**
 * The target rate of a fixed profile over time, from the start of the load until `durationMs`, zero after.
 * A ramp spans the whole duration; the last step, and the base after a spike, hold until the end.
 */
export function curveOf(load: FixedLoad, durationMs: number): RateCurve {
  const segments = openSegmentsOf(load, durationMs)
    .filter((segment) => segment.startMs < durationMs)
    .map((segment) => ({ ...segment, endMs: Math.min(segment.endMs, durationMs) }));
  return new RateCurve(segments);
}

function openSegmentsOf(load: FixedLoad, durationMs: number): RateSegment[] {
  const constant = (startMs: number, endMs: number, rate: number) => ({
    startMs,
    endMs,
    fromRate: rate,
    toRate: rate,
  });
  switch (load.kind) {
    case "constant":
      return [constant(0, Infinity, load.rate)];
    case "ramp":
      return [{ startMs: 0, endMs: durationMs, fromRate: load.from, toRate: load.to }];
    case "step": {
      let startMs = 0;
      return load.steps.map((step, i) => {
        const segment = constant(
          startMs,
          i === load.steps.length - 1 ? Infinity : startMs + step.holdMs,
          step.rate,
        );
        startMs += step.holdMs;
        return segment;
      });
    }
    case "spike":
      return [
        constant(0, load.atMs, load.base),
        constant(load.atMs, load.atMs + load.forMs, load.peak),
        constant(load.atMs + load.forMs, Infinity, load.base),
      ];
  }
}

/**
 * The curve a run follows: a fixed profile's, or for a search the steps the search has taken so far
 * (it grows as the search observes each step).
 */
export function runCurve(load: LoadProfile, durationMs: number, search?: RateSearch): RateCurve {
  if (load.kind !== "search") return curveOf(load, durationMs);
  if (!search)
    throw new LabError("INTERNAL", "a search profile's rate depends on its RateSearch: pass it in");
  return search.curve;
}

/** Target events/s at `tMs` after the start of a load lasting `durationMs`. */
export function rateAt(load: LoadProfile, tMs: number, durationMs: number, search?: RateSearch): number {
  return runCurve(load, durationMs, search).rateAt(tMs);
}

/** Events the profile asks for over `durationMs`: the integral of its rate. */
export function expectedCount(load: LoadProfile, durationMs: number, search?: RateSearch): number {
  return runCurve(load, durationMs, search).countAt(durationMs);
}

/** One line for reports, e.g. `ramp 100/s → 1,000/s over 1m`. */
export function describeLoad(load: LoadProfile, durationMs: number): string {
  switch (load.kind) {
    case "constant":
      return `constant ${formatRate(load.rate)}`;
    case "ramp":
      return `ramp ${formatRate(load.from)} → ${formatRate(load.to)} over ${formatDuration(durationMs)}`;
    case "step":
      return `steps ${load.steps.map((s) => `${formatRate(s.rate)} for ${formatDuration(s.holdMs)}`).join(", ")}`;
    case "spike":
      return `${formatRate(load.base)} with a spike to ${formatRate(load.peak)} at ${formatDuration(load.atMs)} for ${formatDuration(load.forMs)}`;
    case "search":
      return (
        `search from ${formatRate(load.startRate)} ×${load.factor} every ${formatDuration(load.stepMs)} up to ${formatRate(load.maxRate)}, ` +
        `then ${formatPercent(load.holdShare)} of the highest sustained rate for ${formatDuration(load.holdMs)}`
      );
  }
}
