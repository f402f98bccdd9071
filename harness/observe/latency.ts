import { build, type Histogram } from "hdr-histogram-js";
import type { Percentiles } from "../result/types.ts";

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
}

/**
 * Records into a cumulative histogram and an interval one at once: `rollInterval` closes the interval
 * (once a second for the series) and starts the next, while `cumulative` covers the whole run.
 */
export class IntervalLatencyRecorder {
  private readonly total = new LatencyRecorder();
  private readonly interval = new LatencyRecorder();

  record(ms: number): void {
    this.total.record(ms);
    this.interval.record(ms);
  }

  /** Percentiles of the values recorded since the last roll; the interval then starts empty. */
  rollInterval(): Percentiles {
    const closed = this.interval.percentiles();
    this.interval.reset();
    return closed;
  }

  cumulative(): Percentiles {
    return this.total.percentiles();
  }

  reset(): void {
    this.total.reset();
    this.interval.reset();
  }
}
