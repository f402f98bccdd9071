import type { ICustomPartitioner, Kafka } from "kafkajs";
import type { OutgoingRecord, PartitionDelivery, RecordProducer } from "./record-producer.ts";

/**
 * Bounds kafkajs's retries of one send (about 20 s of back-off with our client settings); the idempotent
 * producer would otherwise retry forever, and a dead cluster would hang the final flush.
 */
const SEND_RETRIES = 8;

/** The driver has already put each record on its partition; kafkajs's own partitioner would redo the work. */
const partitionAsGiven: ICustomPartitioner =
  () =>
  ({ message }) => {
    if (message.partition === undefined)
      throw new Error("a message reached the producer without a partition");
    return message.partition;
  };

/**
 * kafkajs's idempotent producer, acks=all. One send() is one produce request per broker, so a partition's
 * records of one call land in one batch at consecutive offsets; a failed call leaves them unknown.
 */
export async function openKafkajsProducer(kafka: Kafka, topic: string): Promise<RecordProducer> {
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    retry: { retries: SEND_RETRIES },
    createPartitioner: partitionAsGiven,
  });
  await producer.connect();
  return {
    client: "kafkajs",
    // Its idempotent producer sends one request per broker at a time; more calls only queue behind a lock.
    inFlight: { calls: 5, records: Number.POSITIVE_INFINITY },
    send: async (records) => {
      const counts = countByPartition(records);
      const answers = await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: r.value,
          partition: r.partition,
          timestamp: String(r.timestampMs),
        })),
      });
      const byPartition = new Map(answers.map((a) => [a.partition, a]));
      return [...counts].map(([partition, count]): PartitionDelivery => {
        const answer = byPartition.get(partition);
        if (answer?.baseOffset !== undefined && answer.errorCode === 0) {
          return { partition, segments: [{ count, baseOffset: answer.baseOffset }] };
        }
        const why = answer ? `error code ${answer.errorCode}` : "no answer for the partition";
        return { partition, segments: [{ count, error: new Error(`the broker gave no offset: ${why}`) }] };
      });
    },
    close: () => producer.disconnect(),
  };
}

function countByPartition(records: readonly OutgoingRecord[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.partition, (counts.get(r.partition) ?? 0) + 1);
  return counts;
}
