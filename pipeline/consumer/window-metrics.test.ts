import { describe, expect, it } from "vitest";
import { createConsumerMetrics } from "./metrics.ts";
import { PartitionWindow } from "./partition-window.ts";
import { countCommittedWindow, recordLag } from "./window-metrics.ts";

async function value(
  metric: { get(): Promise<{ values: { value: number; labels: object }[] }> },
  labels: object,
) {
  const { values } = await metric.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value;
}

describe("countCommittedWindow", () => {
  it("adds every part of a split window once to the seed's counters", async () => {
    const metrics = createConsumerMetrics({ defaultMetrics: false });
    const window = new PartitionWindow(
      { topic: "in", partition: 0, windowStartMs: 0, windowMs: 1_000 },
      6_000,
    );
    const login = (locale: string) => ({
      userId: "u",
      deviceType: "iOS",
      locale,
      appVersion: "1",
      timestampSec: 1,
    });
    for (let i = 0; i < 4; i += 1) window.addValid(String(i), login(`${i}${"x".repeat(1_000)}`), 500);
    const records = window.toRecords({ instanceId: "a", emittedAtMs: 0 });
    expect(records.length).toBeGreaterThan(1);
    countCommittedWindow(metrics, "in", { records, latencies: window.latencies(1_500), flushSeconds: 0.02 });
    expect(await value(metrics.totalCount, { record_type: "valid", topic: "in" })).toBe(4);
    expect(await value(metrics.deviceTypeCount, { device_type: "iOS", topic: "in" })).toBe(4);
    expect((await metrics.aggregatesPublished.get()).values[0]?.value).toBe(records.length);
    const latency = (await metrics.e2eLatencySeconds.get()).values.find((v) =>
      v.metricName?.endsWith("_count"),
    );
    expect(latency?.value).toBe(4);
  });
});

describe("recordLag", () => {
  it("is the offsets behind the high watermark, and the last record's age only while behind", async () => {
    const metrics = createConsumerMetrics({ defaultMetrics: false });
    /** Lag in offsets and seconds of in/2 (high watermark 110) with the last record, 3 s old, at `lastOffset`. */
    const lagAt = async (lastOffset: string) => {
      recordLag(metrics, "in", 2, { highWatermark: "110", lastOffset, lastTimestampMs: 1_000, nowMs: 4_000 });
      const partition = { topic: "in", partition: "2" };
      return [await value(metrics.lagOffsets, partition), await value(metrics.lagSeconds, partition)];
    };
    expect(await lagAt("99")).toEqual([10, 3]);
    expect(await lagAt("109")).toEqual([0, 0]);
  });
});
