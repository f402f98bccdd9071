import { createRequire } from "node:module";

/**
 * The part of `@confluentinc/kafka-javascript`'s low-level API the lab uses, typed here so that the lab
 * still typechecks and runs on kafkajs where the package is absent (it is an optional dependency).
 */
export interface RdKafkaError extends Error {
  code: number;
  isFatal?: boolean;
}

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

interface RdKafkaModule {
  Producer: new (config: Record<string, string | number | boolean>) => RdProducer;
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
