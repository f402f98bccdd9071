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

/** Recounts `topic` from the start to its current end with the pipeline's own validation rule. */
export async function recountInput(connection: KafkaConnection, topic: string): Promise<Counts> {
  const counts = new CountsBuilder();
  await readTopic(connection, topic, (message) => counts.add(message.value));
  return counts.build();
}

export async function readAnalytics(
  connection: KafkaConnection,
  topic: string,
): Promise<{ summary: AnalyticsSummary; unreadable: string[] }> {
  const records: AnalyticsRecord[] = [];
  const unreadable: string[] = [];
  await readTopic(connection, topic, (message, partition) => {
    try {
      records.push(parseAnalyticsRecord(message.value));
    } catch (error) {
      unreadable.push(`${topic}/${partition}@${message.offset}: ${(error as Error).message}`);
    }
  });
  return { summary: summariseAnalytics(records), unreadable };
}

export async function readDeadLetters(connection: KafkaConnection, topic: string): Promise<Collected["dlq"]> {
  const byReason: Record<string, number> = {};
  let total = 0;
  await readTopic(connection, topic, (message) => {
    total += 1;
    const reason = message.headers?.["dlq.reason"]?.toString() ?? "(no reason header)";
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  });
  return { total, byReason };
}

export async function collect(
  connection: KafkaConnection,
  topics: { input: string; output: string; dlq: string },
): Promise<Collected> {
  const [recount, analytics, dlq] = await Promise.all([
    recountInput(connection, topics.input),
    readAnalytics(connection, topics.output),
    readDeadLetters(connection, topics.dlq),
  ]);
  return { recount, analytics: analytics.summary, unreadableAnalytics: analytics.unreadable, dlq };
}
