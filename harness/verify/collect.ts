import { type AnalyticsSummary, summariseAnalytics } from "../../pipeline/consumer/aggregate/reader.ts";
import { type AnalyticsRecord, parseAnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { Counts } from "../result/types.ts";
import { CountsBuilder } from "./ledger.ts";
import { readTopic } from "./topic-reader.ts";

/** What the verifier reads back from Kafka after a run. */
export interface Collected {
  recount: Counts;
  analytics: AnalyticsSummary;
  /** Analytics messages that did not parse: each is a defect of the pipeline. */
  unreadableAnalytics: string[];
  dlq: { total: number; byReason: Record<string, number> };
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

/** Recounts the run's part of `topic` with the pipeline's own validation rule. */
export async function recountInput(
  connection: KafkaConnection,
  topic: string,
  start?: Map<number, bigint>,
): Promise<Counts> {
  const counts = new CountsBuilder();
  await readTopic(connection, topic, (message) => counts.add(message.value), from(start));
  return counts.build();
}

/**
 * Reads the analytics with read_committed and sums them, dropping re-sent ranges. Only records about the
 * run's input offsets count; `coverage` lists per input partition the offsets [from, to] they must tile.
 */
export async function readAnalytics(
  connection: KafkaConnection,
  topics: RunTopics,
  options: { start?: RunStart; coverage?: Map<number, [bigint, bigint]> } = {},
): Promise<{ summary: AnalyticsSummary; unreadable: string[] }> {
  const records: AnalyticsRecord[] = [];
  const unreadable: string[] = [];
  const inputStart = options.start?.input;
  await readTopic(
    connection,
    topics.output,
    (message, partition) => {
      try {
        const record = parseAnalyticsRecord(message.value);
        const first = inputStart?.get(record.source.partition) ?? 0n;
        if (record.source.topic === topics.input && BigInt(record.source.from_offset) >= first)
          records.push(record);
      } catch (error) {
        unreadable.push(`${topics.output}/${partition}@${message.offset}: ${(error as Error).message}`);
      }
    },
    from(options.start?.output),
  );
  const coverage = options.coverage
    ? {
        expectedCoverage: {
          topic: topics.input,
          partitions: Object.fromEntries(
            [...options.coverage].map(([p, [a, b]]) => [p, [a.toString(), b.toString()] as [string, string]]),
          ),
        },
      }
    : {};
  return { summary: summariseAnalytics(records, coverage), unreadable };
}

export async function readDeadLetters(
  connection: KafkaConnection,
  topic: string,
  start?: Map<number, bigint>,
): Promise<Collected["dlq"]> {
  const byReason: Record<string, number> = {};
  let total = 0;
  await readTopic(
    connection,
    topic,
    (message) => {
      total += 1;
      const reason = message.headers?.["dlq.reason"]?.toString() ?? "(no reason header)";
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    },
    from(start),
  );
  return { total, byReason };
}

export async function collect(
  connection: KafkaConnection,
  topics: RunTopics,
  options: { start?: RunStart; coverage?: Map<number, [bigint, bigint]> } = {},
): Promise<Collected> {
  const [recount, analytics, dlq] = await Promise.all([
    recountInput(connection, topics.input, options.start?.input),
    readAnalytics(connection, topics, options),
    readDeadLetters(connection, topics.dlq, options.start?.dlq),
  ]);
  return { recount, analytics: analytics.summary, unreadableAnalytics: analytics.unreadable, dlq };
}
