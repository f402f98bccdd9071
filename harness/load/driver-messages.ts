import type { MalformedKind } from "../../pipeline/events/generator.ts";
import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import type { FixedLoad } from "../scenario/types.ts";
import type { DriverLedgerPart } from "./driver-ledger.ts";
import type { ProducerSlot } from "./producer-share.ts";

/**
 * What a load driver process is told, and tells, over its IPC channel (structured clone, so Maps, bigints
 * and typed arrays pass as they are). Nothing here assumes the two ends share a machine but the channel.
 */
export interface DriverInit {
  slot: ProducerSlot;
  connection: KafkaConnection;
  topic: string;
  client: ClientName;
  /** The run's seed; the process draws from its own (see `seedOf`). */
  seed: number;
  malformed: number;
  malformedKinds?: readonly MalformedKind[];
  /** A fixed profile's share, or as fast as acks allow until the process's share of `count` is acked. */
  load: { kind: "profile"; profile: FixedLoad; durationMs: number } | { kind: "max"; count: number };
  /** Whether to send every ack's times to the parent (the run's observer needs them; a bench does not). */
  forwardAcks: boolean;
}

/** The times of one acked batch: enough for the parent's send delay and end-to-end latency. */
export interface AckTimes {
  partition: number;
  baseOffset: string;
  dueTimeMs: Float64Array;
  sentAtMs: Float64Array;
}

export type ToDriver =
  | { type: "init"; init: DriverInit }
  /** Epoch ms at which every process starts its schedule. */
  | { type: "start"; atMs: number }
  | { type: "stop" };

export type FromDriver =
  | { type: "ready" }
  | { type: "acks"; acks: AckTimes[] }
  | { type: "send-error"; records: number; message: string }
  | { type: "done"; run: ProducerRun; ledger: DriverLedgerPart }
  | { type: "failed"; message: string };
