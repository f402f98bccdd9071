import type { AnalyticsRecord } from "./aggregate/record.ts";
import type { ConsumerMetrics } from "./metrics.ts";

/**
 * Counts a committed window into the seed's counters and ours. Called only after the commit succeeded,
 * so a window read twice (after a failed commit or a rebalance) is counted once.
 */
export function countCommittedWindow(
  metrics: ConsumerMetrics,
  topic: string,
  window: {
    records: AnalyticsRecord[];
    latencies: { seconds: number; count: number }[];
    flushSeconds: number;
  },
): void {
  metrics.windowFlushSeconds.observe(window.flushSeconds);
  for (const record of window.records) {
    metrics.aggregatesPublished.inc();
    metrics.totalCount.inc({ record_type: "valid", topic }, record.total);
    metrics.totalCount.inc({ record_type: "invalid", topic }, record.invalid);
    for (const [deviceType, n] of Object.entries(record.by_device_type))
      metrics.deviceTypeCount.inc({ device_type: deviceType, topic }, n);
    for (const [locale, n] of Object.entries(record.by_locale)) metrics.localeCount.inc({ locale, topic }, n);
    for (const [reason, n] of Object.entries(record.invalid_by_reason))
      metrics.invalidRecords.inc({ reason }, n ?? 0);
  }
  for (const { seconds, count } of window.latencies) metrics.e2eLatencySeconds.observe(seconds, count);
}

/** Lag of one partition after a batch: offsets behind the high watermark, and the age of the last record read. */
export function recordLag(
  metrics: ConsumerMetrics,
  topic: string,
  partition: number,
  read: { highWatermark: string; lastOffset: string; lastTimestampMs: number; nowMs: number },
): void {
  const lag = Number(BigInt(read.highWatermark) - BigInt(read.lastOffset) - 1n);
  const labels = { topic, partition: String(partition) };
  metrics.lagOffsets.set(labels, Math.max(0, lag));
  metrics.lagSeconds.set(labels, lag > 0 ? Math.max(0, (read.nowMs - read.lastTimestampMs) / 1000) : 0);
}
