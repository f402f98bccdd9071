import { randomBytes } from "node:crypto";
import type { KafkaMessage } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { LabError } from "../core/errors.ts";

export interface ReadOptions {
  /** Per partition, the first offset to hand over; earlier ones (a previous run's) are skipped. */
  startOffsets?: Map<number, bigint>;
  /** Per partition, the offset to stop before; by default the high watermark when reading begins. */
  endOffsets?: Map<number, bigint>;
  timeoutMs?: number;
}

/** The high watermark of each partition of `topic`: where a read that means "everything so far" stops. */
export async function endOffsets(connection: KafkaConnection, topic: string): Promise<Map<number, bigint>> {
  const admin = createKafka(connection, "lab-offsets").admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The committed offset of `group` on each partition of `topic` (-1n where it has none), or why the broker
 * did not say: the caller then cannot tell lag from loss and must say so.
 */
export async function committedOffsets(
  connection: KafkaConnection,
  group: string,
  topic: string,
): Promise<Map<number, bigint> | { why: string }> {
  const admin = createKafka(connection, "lab-committed").admin();
  try {
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  } catch (error) {
    return { why: `the committed offsets of group ${group} could not be read: ${(error as Error).message}` };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Reads every partition of `topic` from the start up to its end offset, with read_committed, handing each
 * message to `onMessage`. Progress is tracked by the offsets of the batches kafkajs handled (including
 * batches of only transaction markers), so a topic whose last offset is a marker is still read to its end.
 * The reader's throw-away consumer group is deleted afterwards.
 */
export async function readTopic(
  connection: KafkaConnection,
  topic: string,
  onMessage: (message: KafkaMessage, partition: number) => void,
  options: ReadOptions = {},
): Promise<{ messages: number }> {
  const ends = options.endOffsets ?? (await endOffsets(connection, topic));
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
  if (remaining.size === 0) return { messages: 0 };

  const kafka = createKafka(connection, "lab-reader");
  const groupId = `lab-reader-${randomBytes(6).toString("hex")}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 250,
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  let messages = 0;
  const reached = (partition: number, lastOffset: string | undefined) => {
    const end = ends.get(partition);
    if (end !== undefined && lastOffset !== undefined && BigInt(lastOffset) + 1n >= end)
      remaining.delete(partition);
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new LabError(
              "KAFKA",
              `reading ${topic} back did not reach the end within ${timeoutMs / 1000} s`,
              {
                hint: `partitions not finished: ${[...remaining].join(", ")}`,
              },
            ),
          ),
        timeoutMs,
      );
      const done = () => {
        if (remaining.size > 0) return;
        clearTimeout(timer);
        resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        reached(event.payload.partition, event.payload.lastOffset);
        done();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition) ?? 0n;
            const start = options.startOffsets?.get(batch.partition) ?? 0n;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset >= end) break;
              if (offset < start) continue;
              messages += 1;
              onMessage(message, batch.partition);
            }
          },
        })
        .catch(reject);
    });
    return { messages };
  } finally {
    await consumer.disconnect().catch(() => {});
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect());
  }
}
