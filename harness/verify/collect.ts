import { type AnalyticsRecord, parseAnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import { librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import type { LabelCounts } from "../core/assertion.ts";
import type { Counts } from "../load/ledger.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { type AnalyticsSummary, summariseAnalytics } from "./analytics-ranges.ts";
import type { DeadLetter, InvalidInputs } from "./dead-letters.ts";
import { RangeRecounter, type RangeRecountResult } from "./range-recount.ts";
import type { ReaderComparison } from "./reader-agreement.ts";
import { compareWithLibrdkafka, keyLabel, letterLabel, type ReadBounds } from "./second-reader.ts";
import { committedOffsets, endOffsets, readTopic } from "./topic-reader.ts";

export interface DeadLetters {
  total: number;
  byReason: LabelCounts;
  letters: DeadLetter[];
}

/** What the verifier reads back from Kafka after a run. */
export interface Collected {
  recount: Counts;
  /**
   * Where the recount found invalid records, for the DLQ check; those not yet aggregated (ahead of the
   * committed offsets, in no range) are left out: "events not yet aggregated" names them.
   */
  invalidInputs: InvalidInputs;
  analytics: AnalyticsSummary;
  /** Analytics messages that did not parse: each is a defect of the pipeline. */
  unreadableAnalytics: string[];
  dlq: DeadLetters;
  /** Each analytics record against the recount of its own source range, and the input no range covers. */
  rangeRecount?: RangeRecountResult;
  /** The analytics and dead letters as kafkajs's reader and librdkafka's saw them, compared. */
  readers?: ReaderComparison;
  /** The aggregators' group's committed offset per input partition when verification began. */
  committed?: Map<number, bigint>;
  /** Why the committed offsets are not known, when they were asked for. */
  committedUnknown?: string;
}

export interface RunTopics {
  input: string;
  output: string;
  dlq: string;
}

/**
 * Per topic, the offsets where the run began (each partition's end before the load). Left out, topics
 * are read from the beginning.
 */
export type RunStart = Partial<Record<keyof RunTopics, Map<number, bigint>>>;

function from(start: Map<number, bigint> | undefined) {
  return start ? { startOffsets: start } : {};
}

/**
 * Recounts the run's part of `topic` with the pipeline's own validation rule, noting each invalid record;
 * with a `ranges` recounter, each record is also counted into the analytics ranges that contain it.
 */
export async function recount(
  connection: KafkaConnection,
  topic: string,
  start?: Map<number, bigint>,
  ranges?: RangeRecounter,
): Promise<{ counts: Counts; invalidInputs: InvalidInputs }> {
  const counts = new CountsBuilder();
  const invalidInputs: InvalidInputs = { topic, byPartition: new Map() };
  await readTopic(
    connection,
    topic,
    (message, partition) => {
      const verdict = counts.add(message.value);
      // A record the aggregators have not reached yet is not missing from the DLQ: it is named as lag.
      const coverage = ranges?.add(partition, BigInt(message.offset), verdict);
      if (verdict.ok || coverage === "late") return;
      let offsets = invalidInputs.byPartition.get(partition);
      if (offsets === undefined) {
        offsets = new Map();
        invalidInputs.byPartition.set(partition, offsets);
      }
      offsets.set(message.offset, verdict.reason);
    },
    from(start),
  );
  return { counts: counts.build(), invalidInputs };
}

/** Recounts the run's part of `topic`, for callers that need only the counts. */
export async function recountInput(
  connection: KafkaConnection,
  topic: string,
  start?: Map<number, bigint>,
): Promise<Counts> {
  return (await recount(connection, topic, start)).counts;
}

/**
 * Reads the analytics with read_committed and sums them as a downstream reader would. Only records about
 * the run's input offsets count; `coverage` lists per input partition the offsets [from, to] they must tile.
 */
export async function readAnalytics(
  connection: KafkaConnection,
  topics: RunTopics,
  options: { start?: RunStart; coverage?: Map<number, [bigint, bigint]>; read?: ReadBounds } = {},
): Promise<{ summary: AnalyticsSummary; unreadable: string[]; records: AnalyticsRecord[] }> {
  const records: AnalyticsRecord[] = [];
  const unreadable: string[] = [];
  const inputStart = options.start?.input;
  await readTopic(
    connection,
    topics.output,
    (message, partition) => {
      options.read?.seen.set(`${topics.output}/${partition}@${message.offset}`, keyLabel(message.key));
      try {
        const record = parseAnalyticsRecord(message.value);
        const first = inputStart?.get(record.source.partition) ?? 0n;
        if (record.source.topic === topics.input && BigInt(record.source.from_offset) >= first)
          records.push(record);
      } catch (error) {
        unreadable.push(`${topics.output}/${partition}@${message.offset}: ${(error as Error).message}`);
      }
    },
    { ...from(options.start?.output), ...(options.read ? { endOffsets: options.read.ends } : {}) },
  );
  const coverage = options.coverage
    ? { expectedCoverage: { topic: topics.input, partitions: options.coverage } }
    : {};
  return { summary: summariseAnalytics(records, coverage), unreadable, records };
}

/** Reads the run's dead letters with the reason and source their headers give. */
export async function readDeadLetters(
  connection: KafkaConnection,
  topic: string,
  start?: Map<number, bigint>,
  read?: ReadBounds,
): Promise<DeadLetters> {
  const byReason: LabelCounts = new Map();
  const letters: DeadLetter[] = [];
  await readTopic(
    connection,
    topic,
    (message, partition) => {
      const header = (name: string) => message.headers?.[name]?.toString() ?? null;
      const reason = header("dlq.reason");
      const label = reason ?? "(no reason header)";
      byReason.set(label, (byReason.get(label) ?? 0) + 1);
      const sourcePartition = header("dlq.source.partition");
      const sourceOffset = header("dlq.source.offset");
      read?.seen.set(
        `${topic}/${partition}@${message.offset}`,
        letterLabel(header("dlq.source.topic"), sourcePartition, sourceOffset, reason),
      );
      letters.push({
        at: `${topic}/${partition}@${message.offset}`,
        reason,
        sourceTopic: header("dlq.source.topic"),
        sourcePartition:
          sourcePartition !== null && /^\d+$/.test(sourcePartition) ? Number(sourcePartition) : null,
        sourceOffset: sourceOffset !== null && /^\d+$/.test(sourceOffset) ? sourceOffset : null,
      });
    },
    { ...from(start), ...(read ? { endOffsets: read.ends } : {}) },
  );
  return { total: letters.length, byReason, letters };
}

export interface CollectOptions {
  start?: RunStart;
  coverage?: Map<number, [bigint, bigint]>;
  /** The aggregators' consumer group: its committed offsets tell events lost from events not yet reached. */
  group?: string;
}

/**
 * Reads the analytics and dead letters first, then streams the input once: the recount, each analytics
 * record's own range recounted, and the input no range covers, without holding the input in memory.
 */
export async function collect(
  connection: KafkaConnection,
  topics: RunTopics,
  options: CollectOptions = {},
): Promise<Collected> {
  const offsets = options.group ? await committedOffsets(connection, options.group, topics.input) : undefined;
  const committed = offsets instanceof Map ? offsets : undefined;
  const reads = {
    output: { ends: await endOffsets(connection, topics.output), seen: new Map<string, string>() },
    dlq: { ends: await endOffsets(connection, topics.dlq), seen: new Map<string, string>() },
  };
  const [analytics, dlq] = await Promise.all([
    readAnalytics(connection, topics, { ...options, read: reads.output }),
    readDeadLetters(connection, topics.dlq, options.start?.dlq, reads.dlq),
  ]);
  const unavailable = librdkafkaUnavailable();
  const readers: ReaderComparison = unavailable
    ? {
        compared: false,
        why: `only kafkajs's reader read the analytics and dead letters: ${unavailable}`,
      }
    : await compareWithLibrdkafka(connection, topics, options.start, reads);
  const ranges = new RangeRecounter(topics.input, analytics.records, committed);
  const input = await recount(connection, topics.input, options.start?.input, ranges);
  return {
    recount: input.counts,
    invalidInputs: input.invalidInputs,
    analytics: analytics.summary,
    unreadableAnalytics: analytics.unreadable,
    dlq,
    rangeRecount: ranges.result(),
    readers,
    ...(committed ? { committed } : {}),
    ...(offsets && !(offsets instanceof Map) ? { committedUnknown: offsets.why } : {}),
  };
}
