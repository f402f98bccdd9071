import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { LabError } from "../core/errors.ts";

/**
 * Creates `topic`, sends `count` keyed records with acks=all and reads them all back: the smallest proof
 * that a cluster works end to end. Returns the distinct values read, in the order they first arrived.
 */
export async function roundTrip(
  connection: KafkaConnection,
  options: {
    topic: string;
    count: number;
    partitions: number;
    replicationFactor: number;
    timeoutMs?: number;
  },
): Promise<string[]> {
  const { topic, count } = options;
  const kafka = createKafka(connection, `lab-round-trip-${topic}`);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  try {
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor }],
      waitForLeaders: true,
    });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `record ${i}` })),
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // A rebalance may hand a record over twice (plain at-least-once reading), so count distinct values.
    const values = new Set<string>();
    const timeoutMs = options.timeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new LabError(
              "KAFKA",
              `read back ${values.size} of ${count} records from ${topic} in ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.add(message.value?.toString() ?? "");
          if (values.size >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return [...values];
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
