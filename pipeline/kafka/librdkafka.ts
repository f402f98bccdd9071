import { createRequire } from "node:module";

/**
 * The part of `@confluentinc/kafka-javascript`'s low-level API the lab uses, typed here so that the lab
 * still typechecks and runs on kafkajs where the package is absent (it is an optional dependency).
 */
export interface RdKafkaError extends Error {
  code: number;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}

type Done = (error: RdKafkaError | null | undefined) => void;

export interface RdDeliveryReport {
  partition: number;
  offset: number;
  opaque?: unknown;
}

export interface RdProducer {
  connect(options: { timeout?: number } | undefined, cb: (error: RdKafkaError | null) => void): void;
  produce(
    topic: string,
    partition: number,
    value: Buffer,
    key: Buffer | null,
    timestamp: number,
    opaque: unknown,
  ): unknown;
  on(
    event: "delivery-report",
    listener: (error: RdKafkaError | null, report: RdDeliveryReport) => void,
  ): void;
  on(event: "event.error", listener: (error: RdKafkaError) => void): void;
  setPollInBackground(set: boolean): void;
  flush(timeoutMs: number, cb: (error: RdKafkaError | null) => void): void;
  disconnect(timeoutMs: number, cb: (error: unknown) => void): void;
}

/** A producer with `transactional.id` set: the transaction calls, and `produce` with headers. */
export interface RdTransactionalProducer {
  connect(options: { timeout?: number } | undefined, cb: (error: RdKafkaError | null) => void): void;
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | string | null,
    timestamp: number | null,
    opaque: unknown,
    headers?: { [key: string]: string | Buffer }[],
  ): unknown;
  on(event: "event.error", listener: (error: RdKafkaError) => void): void;
  initTransactions(timeoutMs: number, cb: Done): void;
  beginTransaction(cb: Done): void;
  sendOffsetsToTransaction(
    offsets: RdTopicPartitionOffset[],
    consumer: RdConsumer,
    timeoutMs: number,
    cb: Done,
  ): void;
  commitTransaction(timeoutMs: number, cb: Done): void;
  abortTransaction(timeoutMs: number, cb: Done): void;
  disconnect(timeoutMs: number, cb: (error: unknown) => void): void;
}

export interface RdTopicPartition {
  topic: string;
  partition: number;
}

export interface RdTopicPartitionOffset extends RdTopicPartition {
  offset: number;
}

export interface RdMessage extends RdTopicPartitionOffset {
  value: Buffer | null;
  key?: Buffer | string | null;
  timestamp?: number;
}

export interface RdConsumer {
  connect(options: { timeout?: number } | undefined, cb: (error: RdKafkaError | null) => void): void;
  on(event: "event.error", listener: (error: RdKafkaError) => void): void;
  subscribe(topics: string[]): void;
  assign(partitions: RdTopicPartition[]): void;
  unassign(): void;
  consume(count: number, cb: (error: RdKafkaError | null, messages: RdMessage[]) => void): void;
  setDefaultConsumeTimeout(timeoutMs: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void;
  committed(
    partitions: RdTopicPartition[],
    timeoutMs: number,
    cb: (error: RdKafkaError | null, offsets: RdTopicPartitionOffset[]) => void,
  ): void;
  seek(partition: RdTopicPartitionOffset, timeoutMs: number, cb: Done): void;
  getWatermarkOffsets(topic: string, partition: number): { lowOffset: number; highOffset: number };
  disconnect(cb: (error: unknown) => void): void;
}

/** `rebalance_cb`'s first argument: which of the two a call is. */
export const RD_ASSIGN_PARTITIONS = -175;
/** librdkafka's logical offset for "the start of the partition". */
export const RD_OFFSET_BEGINNING = -2;

type RdConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>;

/** With a `transactional.id` the producer is the transactional one. */
interface RdProducerConstructor {
  new (config: RdConfig & { "transactional.id": string }): RdTransactionalProducer;
  new (config: RdConfig): RdProducer;
}

export interface RdKafkaModule {
  Producer: RdProducerConstructor;
  KafkaConsumer: new (config: RdConfig, topicConfig: RdConfig) => RdConsumer;
  librdkafkaVersion: string;
}

export type LibrdkafkaLoad =
  | { ok: true; module: RdKafkaModule; version: string }
  | { ok: false; why: string };

let loaded: LibrdkafkaLoad | undefined;

/** Loads the native client once; says why when it cannot (not installed, or installed but not built). */
export function loadLibrdkafka(): LibrdkafkaLoad {
  if (loaded) return loaded;
  try {
    const module = createRequire(import.meta.url)("@confluentinc/kafka-javascript") as RdKafkaModule;
    loaded = { ok: true, module, version: module.librdkafkaVersion };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    loaded = {
      ok: false,
      why:
        `@confluentinc/kafka-javascript did not load (${message}); it is built by npm ci where g++, make, ` +
        "python3, pkg-config, libssl-dev and zlib1g-dev are installed (scripts/build-librdkafka.mjs)",
    };
  }
  return loaded;
}
