import { build, type Histogram } from "hdr-histogram-js";

/** Percentiles of a latency distribution, in milliseconds. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Values are kept in microseconds so that sub-millisecond delays are not rounded to zero. */
const MICROS_PER_MS = 1_000;

export const EMPTY_PERCENTILES: Percentiles = { count: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };

/** An HDR histogram of durations in milliseconds (3 significant digits). */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({ numberOfSignificantValueDigits: 3 });
  /** Kept apart because the histogram's own mean walks every bucket, which is slow once a second. */
  private sumMicros = 0;

  /** Negative values (clocks of two processes disagreeing) count as zero. */
  record(ms: number): void {
    const micros = Math.max(0, Math.round(ms * MICROS_PER_MS));
    this.histogram.recordValue(micros);
    this.sumMicros += micros;
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { ...EMPTY_PERCENTILES };
    const at = (p: number) => h.getValueAtPercentile(p) / MICROS_PER_MS;
    return {
      count: h.totalCount,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: h.maxValue / MICROS_PER_MS,
      mean: this.sumMicros / h.totalCount / MICROS_PER_MS,
    };
  }

  reset(): void {
    this.histogram.reset();
    this.sumMicros = 0;
  }

  isEmpty(): boolean {
    return this.histogram.totalCount === 0;
  }

  /** Adds every value `other` holds, as if each had been recorded here too. */
  addFrom(other: LatencyRecorder): void {
    this.histogram.add(other.histogram);
    this.sumMicros += other.sumMicros;
  }
}

/**
 * Percentiles per interval (`rollInterval`, once a second for the series), for the whole run
 * (`cumulative`) and for a phase of it (`startPhase`, e.g. a rate search's hold). A value is recorded once,
 * into the interval; the interval is added to the others as it closes, so the cost per value stays one
 * histogram record, which matters at tens of thousands of values a second on the driver's thread.
 */
export class IntervalLatencyRecorder {
  private readonly total = new LatencyRecorder();
  private readonly interval = new LatencyRecorder();
  private phaseRecorder: LatencyRecorder | undefined;

  record(ms: number): void {
    this.interval.record(ms);
  }

  /** Percentiles of the values recorded since the last roll; the interval then starts empty. */
  rollInterval(): Percentiles {
    const closed = this.interval.percentiles();
    this.total.addFrom(this.interval);
    this.phaseRecorder?.addFrom(this.interval);
    this.interval.reset();
    return closed;
  }

  /** The whole run's percentiles, the open interval included. */
  cumulative(): Percentiles {
    return withOpenInterval(this.total, this.interval);
  }

  /** Starts a phase with the open interval: call it right after a roll, so that the phase is whole intervals. */
  startPhase(): void {
    this.phaseRecorder = new LatencyRecorder();
  }

  /** The phase's percentiles, the open interval included; undefined if no phase was started. */
  phase(): Percentiles | undefined {
    return this.phaseRecorder && withOpenInterval(this.phaseRecorder, this.interval);
  }

  reset(): void {
    this.total.reset();
    this.interval.reset();
    this.phaseRecorder = undefined;
  }
}

function withOpenInterval(closed: LatencyRecorder, open: LatencyRecorder): Percentiles {
  if (open.isEmpty()) return closed.percentiles();
  const both = new LatencyRecorder();
  both.addFrom(closed);
  both.addFrom(open);
  return both.percentiles();
}
