import type { RateCurve } from "./curve.ts";

/** Absorbs floating-point error in the integral so that an event due exactly now counts as due. */
const EPSILON = 1e-6;

/**
 * An open-model schedule: how many events are due by a moment follows from integrating the target rate,
 * never from how fast earlier sends completed, so a slow broker shows up as send delay
 * (send time − due time) instead of a quietly lower rate. Event i (from 0) is due when the integral
 * reaches i + 1.
 */
export class ArrivalSchedule {
  constructor(
    private readonly curve: RateCurve,
    /** Clock time (ms) at which the load starts. */
    private readonly startMs: number,
  ) {}

  /** Events due by `nowMs`, cumulative since the start. */
  dueBefore(nowMs: number): number {
    if (nowMs < this.startMs) return 0;
    const count = this.curve.countAt(nowMs - this.startMs);
    return Number.isFinite(count) ? Math.floor(count + EPSILON) : Number.MAX_SAFE_INTEGER;
  }

  /** Clock time at which event `index` was due; `Infinity` if the curve, as known so far, never gets there. */
  dueTime(index: number): number {
    return this.startMs + this.curve.timeOfCount(index + 1);
  }
}
