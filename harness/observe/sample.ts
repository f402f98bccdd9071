import type { Percentiles } from "../core/latency.ts";
import type { Bounded } from "./bounded-call.ts";
import type { PartitionLag } from "./lag-probe.ts";
import type { MemoryReading } from "./memory.ts";
import type { LagStatus } from "./types.ts";

/** What a sampler read, or why it could not: a figure it did not see is never a stand-in 0 or OK. */
export type Reading<T> = Bounded<T>;

/** One second of the run as the observer saw it; also what the progress line shows. */
export interface Snapshot {
  elapsedMs: number;
  targetRate: number;
  achievedRate: number;
  aggregatedRate: number;
  /** Null when the lag could not be measured this second. */
  lagOffsets: number | null;
  lagSeconds: number | null;
  lagStatus: LagStatus;
  latencyP99Ms: number;
  /** p99 over the run so far: the last second often has no window committed in it. */
  latencyP99RunMs: number;
  sendDelayP99Ms: number;
  partitions: PartitionLag[];
  /** Cores each process used this second, by series key; null where it could not be read. */
  cpuCores: Record<string, number | null>;
  /** Share of the second the lab's sending thread was busy. */
  driverThreadBusy: number;
}

/** Broker-wide figures read from Prometheus once a second. */
export type BrokerFigure =
  | "brokerMessagesInRate"
  | "brokerBytesInRate"
  | "brokerBytesOutRate"
  | "underReplicatedPartitions";

/** Everything one second's sample holds: the snapshot, and what the series and gaps are built from. */
export interface Sample extends Snapshot {
  /** Seconds since the start of the load, to a tenth: the series' time axis. */
  t: number;
  dlqRate: number;
  /** End-to-end latency of the aggregates seen this second (count 0 when none was). */
  latency: Percentiles;
  sendDelay: Percentiles;
  /** Whether this second's send delay p99 was over 1 s: the generator, not only the pipeline, fell behind. */
  generatorBehind: boolean;
  /** Each broker figure, null where it was not read; undefined when the run has no Prometheus. */
  broker: Record<BrokerFigure, number | null> | undefined;
  /** Memory of the lab and of each aggregator, null where it was not read. */
  memory: { name: string; reading: MemoryReading | null }[];
  /** Every figure the sample tried, in order: `gap` says why it was not measured, undefined when it was. */
  notes: { what: string; gap: string | undefined }[];
}
