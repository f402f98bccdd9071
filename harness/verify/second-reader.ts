import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { RunStart, RunTopics } from "./collect.ts";
import { type RdReadMessage, rdHeader, readWithLibrdkafka } from "./librdkafka-reader.ts";
import { compareReaders, type ReaderComparison } from "./reader-agreement.ts";

/** Where a read stops (the same for both readers) and what it saw: position → label. */
export interface ReadBounds {
  ends: Map<number, bigint>;
  seen: Map<string, string>;
}

export function keyLabel(key: Buffer | string | null | undefined): string {
  return key === null || key === undefined ? "(no key)" : key.toString();
}

export function letterLabel(
  topic: string | null,
  partition: string | null,
  offset: string | null,
  reason: string | null,
) {
  return `dead letter of ${topic ?? "?"}/${partition ?? "?"}@${offset ?? "?"} (${reason ?? "no reason"})`;
}

/**
 * Reads the analytics and dead letters again with librdkafka's read_committed consumer, up to the same
 * offsets kafkajs's reader stopped at, and compares what the two handed over.
 */
export async function compareWithLibrdkafka(
  connection: KafkaConnection,
  topics: RunTopics,
  start: RunStart | undefined,
  reads: { output: ReadBounds; dlq: ReadBounds },
): Promise<ReaderComparison> {
  const dlqLabel = (m: RdReadMessage) =>
    letterLabel(
      rdHeader(m.headers, "dlq.source.topic"),
      rdHeader(m.headers, "dlq.source.partition"),
      rdHeader(m.headers, "dlq.source.offset"),
      rdHeader(m.headers, "dlq.reason"),
    );
  try {
    const [output, dlq] = await Promise.all([
      readWithLibrdkafka(connection, topics.output, reads.output.ends, (m) => keyLabel(m.key), {
        ...(start?.output ? { starts: start.output } : {}),
      }),
      readWithLibrdkafka(connection, topics.dlq, reads.dlq.ends, dlqLabel, {
        ...(start?.dlq ? { starts: start.dlq } : {}),
      }),
    ]);
    return compareReaders(
      { reader: "kafkajs", records: new Map([...reads.output.seen, ...reads.dlq.seen]) },
      { reader: "librdkafka", records: new Map([...output, ...dlq]) },
    );
  } catch (error) {
    return { compared: false, why: `librdkafka's reader did not finish: ${(error as Error).message}` };
  }
}
