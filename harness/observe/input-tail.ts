import { randomBytes } from "node:crypto";
import type { Admin, Consumer } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { closeTail } from "./close-tail.ts";

/**
 * Follows the input topic from the run's first offsets while an external driver writes to it. That driver
 * keeps no ledger and reports no due times, so each record's broker timestamp (the producer's CreateTime)
 * stands in for its due time: the start of its end-to-end latency and of lag in seconds, and what the
 * achieved rate per second is counted from.
 */
export class InputTail {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly groupId = `lab-input-tail-${randomBytes(6).toString("hex")}`;

  constructor(
    connection: KafkaConnection,
    private readonly topic: string,
    private readonly start: Map<number, bigint>,
    private readonly onRecord: (partition: number, offset: bigint, timestampMs: number) => void,
  ) {
    const kafka = createKafka(connection, "lab-input-tail");
    this.consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100 });
    this.admin = kafka.admin();
  }

  async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages)
          this.onRecord(batch.partition, BigInt(message.offset), Number(message.timestamp));
      },
    });
    for (const [partition, offset] of this.start)
      this.consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
  }

  stop(): Promise<void> {
    return closeTail(this.consumer, this.admin, this.groupId);
  }
}
