import { randomBytes } from "node:crypto";
import type { Consumer } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";

/** The broker's timestamp of the record at an offset (epoch ms), or why it is not known. */
export interface RecordTimestamps {
  timestampAt(partition: number, offset: bigint, timeoutMs: number): Promise<number | { unknown: string }>;
  stop(): Promise<void>;
}

interface Waiting {
  offset: bigint;
  resolve: (timestampMs: number | undefined) => void;
}

/**
 * Reads one record's timestamp by seeking a paused consumer to it: how lag in seconds is still measured when
 * the driver does not know the due time at the committed offset (a send whose outcome it never learnt that
 * landed all the same, or a topic others write to). Started on the first lookup, since most runs know every
 * due time; the answers are kept per partition, as the committed offset stays put between commits.
 */
export class KafkaRecordTimestamps implements RecordTimestamps {
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private readonly known = new Map<number, { offset: bigint; timestampMs: number }>();
  private readonly groupId = `lab-record-timestamps-${randomBytes(6).toString("hex")}`;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly topic: string,
    private readonly partitions: number[],
  ) {}

  async timestampAt(
    partition: number,
    offset: bigint,
    timeoutMs: number,
  ): Promise<number | { unknown: string }> {
    const cached = this.known.get(partition);
    if (cached?.offset === offset) return cached.timestampMs;
    this.starting ??= this.start();
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<number | undefined>((resolve) => {
      this.waiting.get(partition)?.resolve(undefined);
      this.waiting.set(partition, { offset, resolve });
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      await Promise.race([this.starting, answer]);
      const consumer = this.consumer;
      if (consumer && this.waiting.get(partition)?.offset === offset) {
        consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
        consumer.resume([{ topic: this.topic, partitions: [partition] }]);
      }
      const timestampMs = await answer;
      return timestampMs ?? { unknown: `the record at offset ${offset} was not read within ${timeoutMs} ms` };
    } catch (error) {
      return { unknown: `the timestamp reader could not start: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    for (const w of this.waiting.values()) w.resolve(undefined);
    await this.starting?.catch(() => {});
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => {});
    // Leaves nothing behind on a cluster the lab does not own.
    const admin = createKafka(this.connection, "lab-record-timestamps").admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([this.groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect());
  }

  private async start(): Promise<void> {
    const consumer = createKafka(this.connection, "lab-record-timestamps").consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 65_536,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        const want = this.waiting.get(batch.partition);
        const message = want && batch.messages.find((m) => BigInt(m.offset) >= want.offset);
        if (!want || !message) return;
        const timestampMs = Number(message.timestamp);
        this.known.set(batch.partition, { offset: want.offset, timestampMs });
        this.waiting.delete(batch.partition);
        consumer.pause([{ topic: this.topic, partitions: [batch.partition] }]);
        want.resolve(timestampMs);
      },
    });
    // Paused one by one: kafkajs forgets a whole-topic pause as soon as one partition is paused alone.
    consumer.pause([{ topic: this.topic, partitions: this.partitions }]);
  }
}
