import type { Admin } from "kafkajs";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { defaultClient } from "../kafka/client-choice.ts";
import { openKafkajsProducer } from "../kafka/kafkajs-producer.ts";
import { openLibrdkafkaProducer } from "../kafka/librdkafka-producer.ts";
import type { ClientName, RecordProducer } from "../kafka/record-producer.ts";
import { type SourceOptions, workerSource } from "./record-source.ts";
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
  /** The client library; default the fastest one installed (see `defaultClient`). */
  client?: ClientName;
  /**
   * Awaited once the client is connected and the records are ready, just before the first send: several
   * processes wait here for one shared start time, so that one schedule holds for all of them.
   */
  beforeStart?: () => Promise<void>;
}

/** What the send loop counted, and which client library sent it. */
export type ProducerRun = ProducerSummary & { client: ClientName };

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
 * Writes login events to `topic` on the schedule given, with acks from all in-sync replicas and an
 * idempotent producer of the client chosen, and reports where each acknowledged record landed. The topic
 * must exist.
 */
export async function runProducer(options: ProducerOptions): Promise<ProducerRun> {
  const { connection, topic } = options;
  const clientId = options.clientId ?? "login-producer";
  const kafka = createKafka(connection, clientId);
  const partitions = await readPartitions(kafka.admin(), connection, topic);
  let producer: RecordProducer;
  try {
    producer =
      (options.client ?? defaultClient()) === "librdkafka"
        ? await openLibrdkafkaProducer(connection, topic, clientId)
        : await openKafkajsProducer(kafka, topic);
  } catch (error) {
    throw unreachable(connection, error);
  }
  const source = options.source ?? (await workerSource(sourceOptions(options)));
  try {
    const sender: RecordSender = { topic, partitions, send: (records) => producer.send(records) };
    const loop = {
      ...options,
      source,
      maxInFlight: options.maxInFlight ?? producer.inFlight.calls,
      maxOutstanding: options.maxOutstanding ?? producer.inFlight.records,
    };
    await options.beforeStart?.();
    return { ...(await runSendLoop(loop, sender)), client: producer.client };
  } finally {
    await producer.close();
    if (!options.source) await source.close();
  }
}

function sourceOptions(options: ProducerOptions): SourceOptions {
  return {
    seed: options.seed,
    ...(options.malformed === undefined ? {} : { malformed: options.malformed }),
    ...(options.malformedKinds === undefined ? {} : { malformedKinds: options.malformedKinds }),
    ...(options.mix === undefined ? {} : { mix: options.mix }),
  };
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
