/**
 * The one result object of a run. Every report format (JSON, Markdown, HTML, JUnit) is rendered from it,
 * and the report writers compute no figures of their own.
 */
export const RESULT_SCHEMA_VERSION = 1;

export interface Counts {
  total: number;
  valid: number;
  invalid: number;
  byDeviceType: Record<string, number>;
  byLocale: Record<string, number>;
  invalidByReason: Record<string, number>;
}

export interface AggregateCounts {
  total: number;
  byDeviceType: Record<string, number>;
  byLocale: Record<string, number>;
  byAppVersion: Record<string, number>;
  invalid: number;
  records: number;
  duplicateRangesDropped: number;
  dlqRecords: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export type LagStatus = "OK" | "WARN" | "STALL" | "STOP";

export interface Assertion {
  name: string;
  expected: string;
  observed: string;
  pass: boolean;
  detail?: string;
}

export interface FaultRecord {
  /** Milliseconds since the start of the load. */
  atMs: number;
  action: "kill" | "stop" | "pause" | "resume" | "restart" | "kill-consumer" | "restart-consumer";
  target: string;
  pid?: number;
  signal?: string;
  note?: string;
}

/** Time series sampled once a second; every array has the same length as `t`. */
export interface Series {
  /** Seconds since the start of the load. */
  t: number[];
  targetRate: number[];
  achievedRate: number[];
  aggregatedRate: number[];
  dlqRate: number[];
  lagOffsets: number[];
  /** Lag in offsets of each input partition, keyed by partition number. */
  lagOffsetsByPartition: Record<string, number[]>;
  lagSeconds: number[];
  lagStatus: LagStatus[];
  /** Null in a second when no aggregate became visible, so there was no latency to measure. */
  latencyP50Ms: (number | null)[];
  latencyP99Ms: (number | null)[];
  sendDelayP99Ms: number[];
  brokerMessagesInRate?: number[];
  brokerBytesInRate?: number[];
  brokerBytesOutRate?: number[];
  underReplicatedPartitions?: number[];
}

export interface BaselineComparison {
  metric: string;
  baseline: number;
  current: number;
  /** Relative change allowed, 0.2 = 20 %. */
  tolerance: number;
  /** "higher" when a larger value is better (rate), "lower" when smaller is better (latency, lag). */
  better: "higher" | "lower";
  pass: boolean;
}

export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  scenario: { name: string; description: string };
  config: {
    seed: number;
    profile: { kind: string; description: string };
    durationMs: number;
    partitions: number;
    consumers: number;
    brokers: number;
    provider: "local" | "testcontainers" | "external";
    kraft: boolean;
    malformed: number;
    windowMs: number;
    thresholds: Record<string, number | boolean>;
    /** The Kafka client library that drove the load (absent in reports written before it was recorded). */
    loadClient?: "kafkajs" | "librdkafka";
  };
  environment: {
    hostname: string;
    os: string;
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    kafkaVersion: string;
    startedAt: string;
    finishedAt: string;
  };
  verdict: "pass" | "fail";
  ledger: Counts;
  recount: Counts;
  aggregates: AggregateCounts;
  throughput: {
    targetPerSec: number;
    achievedPerSec: number;
    aggregatedPerSec: number;
    sendDelayMs: Percentiles;
    generatorBehind: boolean;
  };
  /** End-to-end: from the event's timestamp to the commit of the window that counted it. */
  latency: Percentiles;
  lag: {
    maxOffsets: number;
    maxSeconds: number;
    /** Milliseconds from the end of the load until lag reached zero; null when it never did. */
    drainMs: number | null;
    finalStatus: LagStatus;
  };
  series: Series;
  assertions: Assertion[];
  faults: FaultRecord[];
  rateSearch?: {
    foundRatePerSec: number;
    heldRatePerSec: number;
    steps: { ratePerSec: number; sustained: boolean; reason: string }[];
    /** The hold alone: the run's headline target, achieved rate and send delay describe it. */
    hold?: { targetPerSec: number; achievedPerSec: number; seconds: number };
  };
  baseline?: { file: string; comparisons: BaselineComparison[] };
  links: { prometheus?: string; grafana?: string };
}
