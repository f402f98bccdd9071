/**
 * What the unit tests of both clients' aggregators and transactions build alike: the aggregator's options
 * around a fake client, and a window's analytics record over known offsets.
 */
import type { AnalyticsRecord } from "./aggregate/record.ts";
import { PartitionWindowAccumulator } from "./aggregate/window.ts";
import type { AggregatorOptions } from "./aggregator-core.ts";
import { createConsumerMetrics } from "./metrics.ts";

/** An aggregator reading "in" into "out" and "dlq" in 60 s windows, on no real broker, at `clock`'s time. */
export function fakeBrokerOptions(clock: { now(): number }): AggregatorOptions {
  return {
    connection: { brokers: ["fake:9092"] },
    groupId: "g",
    inputTopic: "in",
    outputTopic: "out",
    dlqTopic: "dlq",
    windowMs: 60_000,
    metrics: createConsumerMetrics({ defaultMetrics: false }),
    clock,
  };
}

/**
 * The analytics record of a window of partition `partition` of "in" over offsets `from`–`to`, each a valid
 * login but those in `invalid`, counted as not JSON.
 */
export function windowRecord(
  partition: number,
  from: number,
  to: number,
  { invalid = [], emittedAtMs = 0 }: { invalid?: number[]; emittedAtMs?: number } = {},
): AnalyticsRecord {
  const acc = new PartitionWindowAccumulator({ topic: "in", partition, windowStartMs: 0, windowMs: 1_000 });
  for (let o = from; o <= to; o += 1) {
    if (invalid.includes(o)) acc.addInvalid(String(o), "not_json");
    else
      acc.addValid(String(o), {
        userId: "u",
        deviceType: "iOS",
        locale: "CA",
        appVersion: "1",
        timestampSec: 1,
      });
  }
  return acc.toRecord({ instanceId: "test", emittedAtMs });
}

/**
 * One committed transaction in a fake librdkafka producer's log: `producer` begins, produces `writes` in
 * order (each as the fake writes it after "produce "), sends `offsets` and commits.
 */
export function committedTransaction(producer: string, writes: string[], offsets: string): string[] {
  return [
    `${producer} begin`,
    ...writes.map((write) => `${producer} produce ${write}`),
    `${producer} offsets ${offsets}`,
    `${producer} commit`,
  ];
}
