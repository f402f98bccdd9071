/** A stretch of time over which the target rate changes linearly from `fromRate` to `toRate` (events/s). */
export interface RateSegment {
  startMs: number;
  /** `Infinity` for a rate that holds until told otherwise; such a segment must be constant. */
  endMs: number;
  fromRate: number;
  toRate: number;
}

/**
 * Target rate over time as linear pieces, with its integral (how many events are due by a time) and the
 * inverse (when the n-th event falls due). Times are milliseconds from the start of the load; the rate is
 * zero outside the segments. A curve can be extended at its end, which is how a rate search adds steps.
 */
export class RateCurve {
  private readonly segments: RateSegment[] = [];
  /** Events due before each segment starts. */
  private readonly countBefore: number[] = [];

  constructor(segments: RateSegment[] = []) {
    for (const segment of segments) this.extend(segment);
  }

  /** Appends a segment; an open last segment is cut where the new one starts. */
  extend(segment: RateSegment): void {
    if (segment.endMs === Infinity && segment.fromRate !== segment.toRate) {
      throw new Error("an open-ended rate segment must be constant");
    }
    const last = this.segments.at(-1);
    if (last && segment.startMs < last.startMs) throw new Error("rate segments must be in time order");
    if (last && last.endMs > segment.startMs) {
      if (last.endMs !== Infinity) throw new Error("rate segments must not overlap");
      last.endMs = segment.startMs;
    }
    this.countBefore.push(last ? (this.countBefore.at(-1) ?? 0) + countWithin(last, last.endMs) : 0);
    this.segments.push({ ...segment });
  }

  rateAt(tMs: number): number {
    const segment = this.segments.find((s) => s.startMs <= tMs && tMs < s.endMs);
    if (!segment) return 0;
    if (segment.endMs === Infinity) return segment.fromRate;
    return segment.fromRate + slope(segment) * (tMs - segment.startMs);
  }

  /** Events due from 0 to `tMs`: the integral of the rate. */
  countAt(tMs: number): number {
    const i = this.indexAt(tMs);
    if (i < 0) return 0;
    const segment = this.segments[i] as RateSegment;
    return (this.countBefore[i] ?? 0) + countWithin(segment, Math.min(tMs, segment.endMs));
  }

  /** The earliest time by which `count` events are due; `Infinity` if the curve never gets there. */
  timeOfCount(count: number): number {
    if (count <= 0) return 0;
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i] as RateSegment;
      const before = this.countBefore[i] ?? 0;
      const inSegment = countWithin(segment, segment.endMs);
      if (before + inSegment >= count) return segment.startMs + timeWithin(segment, count - before);
    }
    return Infinity;
  }

  /** The last segment that starts at or before `tMs`, or -1. */
  private indexAt(tMs: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.segments[mid] as RateSegment).startMs <= tMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/** Rate change per millisecond. */
function slope(s: RateSegment): number {
  return s.endMs === Infinity || s.endMs === s.startMs ? 0 : (s.toRate - s.fromRate) / (s.endMs - s.startMs);
}

/** Events due from the segment's start to `tMs` (within the segment). */
function countWithin(s: RateSegment, tMs: number): number {
  const x = Math.max(0, tMs - s.startMs);
  if (x === 0) return 0;
  if (x === Infinity) return s.fromRate > 0 ? Infinity : 0;
  return (s.fromRate * x + 0.5 * slope(s) * x * x) / 1_000;
}

/** Milliseconds after the segment's start at which `count` events are due: the inverse of `countWithin`. */
function timeWithin(s: RateSegment, count: number): number {
  const events = count * 1_000;
  const k = slope(s);
  // The rationalised root of fromRate·x + k·x²/2 = events; stable when k is zero or tiny.
  const root = Math.sqrt(Math.max(0, s.fromRate * s.fromRate + 2 * k * events));
  return (2 * events) / (s.fromRate + root);
}
