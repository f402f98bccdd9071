/**
 * The one result object of a run. Every report format (JSON, Markdown, HTML, JUnit) is rendered from it,
 * and the report writers compute no figures of their own.
 */
export const RESULT_SCHEMA_VERSION = 2;

/**
 * Counts by a label taken from the input (device type, locale, app version, reason). A Map, because labels
 * are untrusted text and `constructor` or `__proto__` must count like any other; report.json writes it as
 * an object.
 */
export type LabelCounts = Map<string, number>;

export interface Counts {
  total: number;
  valid: number;
  invalid: number;
  byDeviceType: LabelCounts;
  byLocale: LabelCounts;
  byAppVersion: LabelCounts;
  invalidByReason: LabelCounts;
}

export interface AggregateCounts {
  /** Valid logins, summed over every analytics record read (copies of one range included). */
  total: number;
  byDeviceType: LabelCounts;
  byLocale: LabelCounts;
  byAppVersion: LabelCounts;
  invalid: number;
  invalidByReason: LabelCounts;
  /** Analytics records read. */
  records: number;
  /** Copies of a source range beyond its first: each counted its range again. */
  duplicateCopies: number;
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

/** A figure an assertion compared, as data a program can read. */
export type AssertionValue =
  | number
  | string
  | boolean
  | null
  | LabelCounts
  | AssertionValue[]
  | { [key: string]: AssertionValue };

export interface Assertion {
  name: string;
  /** How the observed value must stand to the expected one. */
  relation: "=" | "≤" | "≥";
  expectedValue: AssertionValue;
  observedValue: AssertionValue;
  /** The unit of numeric values, when they have one ("ms", "s", "offsets", "events/s"). */
  unit?: string;
  /** The same two values, formatted for people. */
  expected: string;
  observed: string;
  pass: boolean;
  detail?: string;
}

export interface FaultRecord {
  /** Milliseconds since the start of the load. */
  atMs: number;
  action:
    | "kill"
    | "stop"
    | "pause"
    | "resume"
    | "restart"
    | "kill-consumer"
    | "restart-consumer"
    | "stop-consumer"
    | "resume-consumer"
    | "add-consumer"
    | "remove-consumer";
  target: string;
  pid?: number;
  signal?: string;
  /** The broker a `broker:` or `leader:` target hit. */
  brokerId?: number;
  /** For a `leader:<topic>/<partition>` target: the partition whose leader the fault went to. */
  leaderOf?: { topic: string; partition: number };
  /** The aggregator a consumer action hit. */
  consumerIndex?: number;
  /** Set when the fault could not be applied; such a fault fails the run. */
  error?: string;
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
    /** The command run as each aggregator, when it was not the pipeline's own. */
    aggregatorCommand?: string;
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
