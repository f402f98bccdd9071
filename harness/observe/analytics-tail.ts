import { randomBytes } from "node:crypto";
import type { Admin, Consumer } from "kafkajs";
import { type AnalyticsRecord, parseAnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { closeTail } from "./close-tail.ts";

/**
 * Follows the analytics topic with read_committed while the run goes on. The moment a record becomes
 * visible is when its window's events have arrived *correct*: the end of their end-to-end latency.
 */
export class AnalyticsTail {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly groupId = `lab-analytics-tail-${randomBytes(6).toString("hex")}`;
  unreadable = 0;

  constructor(
    connection: KafkaConnection,
    private readonly topic: string,
    private readonly onRecord: (record: AnalyticsRecord, seenAtMs: number) => void,
  ) {
    const kafka = createKafka(connection, "lab-analytics-tail");
    this.consumer = kafka.consumer({ groupId: this.groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    this.admin = kafka.admin();
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const seenAtMs = Date.now();
        try {
          this.onRecord(parseAnalyticsRecord(message.value), seenAtMs);
        } catch {
          this.unreadable += 1;
        }
      },
    });
  }

  stop(): Promise<void> {
    return closeTail(this.consumer, this.admin, this.groupId);
  }
}
