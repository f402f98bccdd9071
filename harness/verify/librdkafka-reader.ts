import { randomBytes } from "node:crypto";
import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import { loadLibrdkafka, type RdMessage, type RdTopicPartition } from "../../pipeline/kafka/librdkafka.ts";
import { librdkafkaConnection } from "../../pipeline/kafka/librdkafka-producer.ts";
import { LabError } from "../core/errors.ts";

/** A header as librdkafka hands it over: one key per object. */
export type RdHeaders = { [key: string]: Buffer | string }[];

export type RdReadMessage = RdMessage & { headers?: RdHeaders; key?: Buffer | string | null };

const BATCH = 1_000;

/**
 * Reads `topic` from `starts` (0 where absent) up to `ends` with librdkafka's read_committed consumer, a
 * reader written apart from kafkajs's, and returns each record's position and `label`. Assigned, not
 * subscribed: no group is joined and nothing is committed. A partition is done once a record at its end
 * was read, or the consumer's position or end-of-partition event passed it (markers and aborted records
 * are never handed over).
 */
export async function readWithLibrdkafka(
  connection: KafkaConnection,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  label: (message: RdReadMessage) => string,
  options: { starts?: ReadonlyMap<number, bigint>; timeoutMs?: number } = {},
): Promise<Map<string, string>> {
  const loaded = loadLibrdkafka();
  if (!loaded.ok) throw new LabError("KAFKA", loaded.why);
  const records = new Map<string, string>();
  const startOf = (partition: number) => options.starts?.get(partition) ?? 0n;
  const remaining = new Set([...ends].filter(([p, end]) => end > startOf(p)).map(([p]) => p));
  if (remaining.size === 0) return records;

  const consumer = new loaded.module.KafkaConsumer(
    {
      ...librdkafkaConnection(connection),
      "client.id": "lab-verify-librdkafka",
      "group.id": `lab-rd-reader-${randomBytes(6).toString("hex")}`,
      "enable.auto.commit": false,
      "isolation.level": "read_committed",
      "enable.partition.eof": true,
    },
    { "auto.offset.reset": "earliest" },
  );
  const reached = (partition: number, next: bigint) => {
    const end = ends.get(partition);
    if (end !== undefined && next >= end) remaining.delete(partition);
  };
  const eofs = consumer as unknown as {
    on(event: "partition.eof", listener: (eof: { partition: number; offset: number }) => void): void;
    position(partitions: RdTopicPartition[]): { partition: number; offset: number }[];
  };
  eofs.on("partition.eof", (eof) => reached(eof.partition, BigInt(eof.offset)));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
  );
  try {
    const assignment = [...remaining].map((partition) => ({
      topic,
      partition,
      offset: Number(startOf(partition)),
    }));
    consumer.assign(assignment);
    consumer.setDefaultConsumeTimeout(250);
    while (remaining.size > 0) {
      if (Date.now() > deadline)
        throw new LabError(
          "KAFKA",
          `librdkafka's read_committed reader did not reach the end of ${topic} within ${timeoutMs / 1000} s`,
          { hint: `partitions not finished: ${[...remaining].join(", ")}` },
        );
      const messages = await new Promise<RdReadMessage[]>((resolve, reject) =>
        consumer.consume(BATCH, (error, batch) =>
          error ? reject(error) : resolve(batch as RdReadMessage[]),
        ),
      );
      for (const message of messages) {
        const offset = BigInt(message.offset);
        const end = ends.get(message.partition) ?? 0n;
        if (offset >= end || offset < startOf(message.partition)) continue;
        records.set(`${topic}/${message.partition}@${offset}`, label(message));
        reached(message.partition, offset + 1n);
      }
      for (const { partition, offset } of eofs.position(assignment))
        if (offset >= 0) reached(partition, BigInt(offset));
    }
    return records;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** A header's value as text, from librdkafka's list of one-key objects. */
export function rdHeader(headers: RdHeaders | undefined, name: string): string | null {
  for (const header of headers ?? []) {
    const value = header[name];
    if (value !== undefined) return value.toString();
  }
  return null;
}
