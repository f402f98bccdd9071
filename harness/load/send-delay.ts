import type { Percentiles } from "../core/latency.ts";
import { IntervalLatencyRecorder } from "../core/latency.ts";

/**
 * Send delay (send time − due time) of the load driver, in milliseconds, per interval and for the run.
 * A high delay means the driver could not keep its schedule: the generator itself, or the broker it
 * waits on, fell behind.
 */
export class SendDelayTracker {
  private readonly recorder = new IntervalLatencyRecorder();
  private lastInterval: Percentiles | undefined;
  private worstIntervalP99 = 0;

  record(delayMs: number): void {
    this.recorder.record(delayMs);
  }

  /**
   * Starts a phase of its own (a rate search's hold), whose send delay `phase()` then gives apart. Call it
   * right after `rollInterval`: the phase begins with the interval then open.
   */
  startPhase(): void {
    this.recorder.startPhase();
  }

  /** The send delay since `startPhase`, or undefined if no phase was started. */
  phase(): Percentiles | undefined {
    return this.recorder.phase();
  }

  /** Closes the interval (call once a second) and returns its percentiles. */
  rollInterval(): Percentiles {
    this.lastInterval = this.recorder.rollInterval();
    this.worstIntervalP99 = Math.max(this.worstIntervalP99, this.lastInterval.p99);
    return this.lastInterval;
  }

  /** Whether the send delay p99 of the last closed interval was over `thresholdMs`. */
  generatorBehind(thresholdMs = 1_000): boolean {
    return (this.lastInterval?.p99 ?? 0) > thresholdMs;
  }

  /** Whether any closed interval's send delay p99 was over `thresholdMs`, for the run's verdict. */
  wasEverBehind(thresholdMs = 1_000): boolean {
    return this.worstIntervalP99 > thresholdMs;
  }

  cumulative(): Percentiles {
    return this.recorder.cumulative();
  }
}
