import type { Metric, Registry } from "prom-client";

/**
 * A Prometheus histogram without labels that takes a value together with how many times it was seen.
 * prom-client's Histogram observes one value a call, and the end-to-end latency of a window is one value per
 * 100 ms of Kafka timestamps shared by thousands of records: observing them one by one was a per-record cost
 * on the aggregator's hot path. Exposed exactly as prom-client exposes a Histogram.
 */
export class WeightedHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly bucketCounts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registers: Registry[],
  ) {
    if (!upperBounds.every((bound, i) => i === 0 || bound > (upperBounds[i - 1] as number))) {
      throw new RangeError(`${name}: bucket bounds must rise, got ${upperBounds.join(", ")}`);
    }
    this.bucketCounts = upperBounds.map(() => 0);
    // A registry reads any metric through get(); prom-client's types list only its own classes.
    for (const registry of registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Counts `value` `times` times, as many calls of Histogram.observe(value) would. */
  observe(value: number, times = 1): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: value is not a finite number: ${value}`);
    if (!(Number.isSafeInteger(times) && times >= 0)) {
      throw new RangeError(`${this.name}: times must be a whole number of at least 0, got ${times}`);
    }
    const bucket = this.upperBounds.findIndex((bound) => value <= bound);
    if (bucket >= 0) this.bucketCounts[bucket] = (this.bucketCounts[bucket] as number) + times;
    this.sum += value * times;
    this.count += times;
  }

  reset(): void {
    this.bucketCounts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  async get() {
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...this.upperBounds.map((le, i) => {
          cumulative += this.bucketCounts[i] as number;
          return { labels: { le: le as number | string }, value: cumulative, metricName: bucket };
        }),
        { labels: { le: "+Inf" }, value: this.count, metricName: bucket },
        { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
        { labels: {}, value: this.count, metricName: `${this.name}_count` },
      ],
    };
  }
}
