import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { WeightedHistogram } from "./weighted-histogram.ts";

const BUCKETS = [0.1, 0.5, 1, 5];

describe("WeightedHistogram", () => {
  it("exposes a value seen n times exactly as prom-client's Histogram fed it n times", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const weighted = new WeightedHistogram("latency_seconds", "Latency.", BUCKETS, [ours]);
    const reference = new Histogram({
      name: "latency_seconds",
      help: "Latency.",
      buckets: BUCKETS,
      registers: [theirs],
    });
    // Values whose sums are exact in binary, so that both ways of adding give the same digits.
    for (const [value, times] of [
      [0.25, 4],
      [1, 3],
      [0.5, 1],
      [7, 2],
      [0.125, 0],
    ] as const) {
      weighted.observe(value, times);
      for (let i = 0; i < times; i += 1) reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const points = async (metric: WeightedHistogram | Histogram) =>
      (await metric.get()).values.map(({ labels, value, metricName }) => ({ labels, value, metricName }));
    expect(await points(weighted)).toEqual(await points(reference));
  });

  it("counts nothing after a reset and refuses values a histogram cannot hold", async () => {
    const registry = new Registry();
    const weighted = new WeightedHistogram("h", "H.", BUCKETS, [registry]);
    weighted.observe(0.3, 10);
    weighted.reset();
    expect(await registry.metrics()).toContain("h_count 0");
    expect(() => weighted.observe(Number.NaN)).toThrow(TypeError);
    expect(() => weighted.observe(1, -1)).toThrow(RangeError);
    expect(() => weighted.observe(1, 1.5)).toThrow(RangeError);
    expect(() => new WeightedHistogram("bad", "Bad.", [1, 1], [])).toThrow(RangeError);
  });
});
