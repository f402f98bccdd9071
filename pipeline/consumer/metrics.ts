import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { WeightedHistogram } from "../weighted-histogram.ts";

/**
 * The aggregator's metrics on a registry of its own (never the global one). The first three keep the
 * seed's names and labels exactly, so the seed's dashboards work; unlike the seed's gauges they count
 * each committed record once and never double.
 */
export function createConsumerMetrics(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    deviceTypeCount: new Counter<"device_type" | "topic">({
      name: "device_type_count",
      help: "Valid login events counted, by device_type (committed windows only).",
      labelNames: ["device_type", "topic"],
      registers,
    }),
    localeCount: new Counter<"locale" | "topic">({
      name: "locale_count",
      help: "Valid login events counted, by locale (committed windows only).",
      labelNames: ["locale", "topic"],
      registers,
    }),
    totalCount: new Counter<"record_type" | "topic">({
      name: "total_count",
      help: "Login events counted (committed windows only); record_type is valid or invalid.",
      labelNames: ["record_type", "topic"],
      registers,
    }),
    recordsConsumed: new Counter<"topic">({
      name: "login_consumer_records_consumed_total",
      help: "Records read from the input topic, including ones read again after a rebalance or restart.",
      labelNames: ["topic"],
      registers,
    }),
    invalidRecords: new Counter<"reason">({
      name: "login_consumer_invalid_records_total",
      help: "Invalid records sent to the dead-letter topic (committed), by reason.",
      labelNames: ["reason"],
      registers,
    }),
    windowFlushSeconds: new Histogram({
      name: "login_consumer_window_flush_seconds",
      help: "Time to publish one window's aggregates and commit them with the offsets.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    // Observed once per 100 ms of Kafka timestamps with its record count, not once per record.
    e2eLatencySeconds: new WeightedHistogram(
      "login_consumer_e2e_latency_seconds",
      "From the event's Kafka timestamp to the commit of the window that counted it.",
      [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    ),
    rebalances: new Counter({
      name: "login_consumer_rebalances_total",
      help: "Consumer group rebalances this instance took part in.",
      registers,
    }),
    lagOffsets: new Gauge<"topic" | "partition">({
      name: "login_consumer_lag_offsets",
      help: "High watermark minus the next offset to read, per assigned partition.",
      labelNames: ["topic", "partition"],
      registers,
    }),
    lagSeconds: new Gauge<"topic" | "partition">({
      name: "login_consumer_lag_seconds",
      help: "Age of the newest record read when the partition still had a backlog; 0 when caught up.",
      labelNames: ["topic", "partition"],
      registers,
    }),
    aggregatesPublished: new Counter({
      name: "login_consumer_aggregates_published_total",
      help: "Aggregate records committed to the output topic.",
      registers,
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;
