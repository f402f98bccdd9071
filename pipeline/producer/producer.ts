import type { Admin, ICustomPartitioner } from "kafkajs";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { type ProducerSummary, type RecordSender, runSendLoop, type SendLoopOptions } from "./send-loop.ts";

export type { AckedBatch, SentRecord } from "./acks.ts";
export { recordOffset } from "./acks.ts";
export { constantRate, type SendSchedule } from "./schedule.ts";
export type { ProducerClock, ProducerSummary, SentBatch } from "./send-loop.ts";

export interface ProducerOptions extends SendLoopOptions {
  connection: KafkaConnection;
  topic: string;
  /** Names the client in broker logs and quotas; default `login-producer`. */
  clientId?: string;
}

/** Why a run could not start: the fix differs (brokers address vs. topic name), so callers tell them apart. */
export class ProducerSetupError extends Error {
  constructor(
    readonly reason: "unreachable" | "missing_topic",
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "ProducerSetupError";
  }
}

/**
 * Bounds kafkajs's retries of one send (about 20 s of back-off with our client settings); the idempotent
 * producer would otherwise retry forever, and a dead cluster would hang the final flush.
 */
const SEND_RETRIES = 8;

/**
 * The send loop has already put each message on its partition, so that acks map to offsets; kafkajs's
 * default partitioner would list the partitions with a leader again for every message.
 */
const partitionAsGiven: ICustomPartitioner =
  () =>
  ({ message }) => {
    if (message.partition === undefined)
      throw new Error("a message reached the producer without a partition");
    return message.partition;
  };

/**
 * Writes login events to `topic` on the schedule given, with acks from all in-sync replicas and the
 * idempotent producer, and reports where each acknowledged record landed. The topic must exist.
 */
export async function runProducer(options: ProducerOptions): Promise<ProducerSummary> {
  const { connection, topic } = options;
  const kafka = createKafka(connection, options.clientId ?? "login-producer");
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    retry: { retries: SEND_RETRIES },
    createPartitioner: partitionAsGiven,
  });
  const partitions = await readPartitions(kafka.admin(), connection, topic);
  try {
    try {
      await producer.connect();
    } catch (error) {
      throw unreachable(connection, error);
    }
    const sender: RecordSender = {
      topic,
      partitions,
      send: (messages) => producer.send({ topic, acks: -1, messages }),
    };
    return await runSendLoop(options, sender);
  } finally {
    await producer.disconnect();
  }
}

async function readPartitions(admin: Admin, connection: KafkaConnection, topic: string) {
  try {
    await admin.connect();
  } catch (error) {
    throw unreachable(connection, error);
  }
  try {
    // Listed first: asking for the metadata of a missing topic can make a broker create it.
    if (!(await admin.listTopics()).includes(topic)) {
      throw new ProducerSetupError(
        "missing_topic",
        `topic ${topic} does not exist on ${connection.brokers.join(",")}`,
      );
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
  } finally {
    await admin.disconnect();
  }
}

function unreachable(connection: KafkaConnection, cause: unknown): ProducerSetupError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ProducerSetupError(
    "unreachable",
    `cannot reach Kafka at ${connection.brokers.join(",")}: ${why}`,
    { cause },
  );
}
