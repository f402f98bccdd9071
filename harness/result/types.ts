/**
 * The one result object of a run. Every report format (JSON, Markdown, HTML, JUnit) is rendered from it,
 * and the report writers compute no figures of their own.
 */
import type { Assertion, AssertionValue, LabelCounts } from "../core/assertion.ts";
import type { Percentiles } from "../core/latency.ts";
import type { FaultRecord, ThrottleRecord } from "../faults/types.ts";
import type { Counts } from "../load/ledger.ts";
import type { RateSearchResult } from "../load/rate-search.ts";
import type {
  LagStatus,
  LagStatusChange,
  MemoryFigures,
  MemoryGrowth,
  MemorySeries,
  RateLimiter,
  RebalancePause,
  Series,
  SeriesGap,
  SpikeFigures,
  ThrottleFigures,
  UrpRecovery,
} from "../observe/types.ts";
import type { AggregateCounts, BaselineComparison } from "../verify/types.ts";

// Each part of the result is defined by the layer that makes it; the report writers read them all from here.
export type {
  AggregateCounts,
  Assertion,
  AssertionValue,
  BaselineComparison,
  Counts,
  FaultRecord,
  LabelCounts,
  LagStatus,
  LagStatusChange,
  MemoryFigures,
  MemoryGrowth,
  MemorySeries,
  Percentiles,
  RateLimiter,
  RateSearchResult,
  RebalancePause,
  Series,
  SeriesGap,
  SpikeFigures,
  ThrottleFigures,
  ThrottleRecord,
  UrpRecovery,
};

export const RESULT_SCHEMA_VERSION = 2;

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
    /** The Kafka client the pipeline's own aggregator ran on (absent for a command of one's own, and in reports written before it was recorded). */
    aggregatorClient?: "kafkajs" | "librdkafka";
    /** The Kafka client library that drove the load (absent in reports written before it was recorded). */
    loadClient?: "kafkajs" | "librdkafka";
    /** Load driver processes, each sending its share of the schedule (absent before `--producers`). */
    loadProcesses?: number;
    /**
     * Set when a command of one's own drove the load (`--driver external`): it keeps no ledger, so `ledger`
     * is the recount of the input topic over the run's offsets, and what was lost before Kafka is not known.
     */
    driver?: "external";
    driverCommand?: string;
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
  /** `interrupted`: stopped early (Ctrl-C); everything measured until then is still reported. */
  verdict: "pass" | "fail" | "interrupted";
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
    /** The highest lag sampled; null when no sample could read it (the series' gaps say why). */
    maxOffsets: number | null;
    maxSeconds: number | null;
    /** Milliseconds from the end of the load until lag reached zero; null when it never did. */
    drainMs: number | null;
    finalStatus: LagStatus;
  };
  /** Growth of each process's resident memory, fitted over the steady part of the load. */
  memory?: MemoryFigures;
  spike?: SpikeFigures;
  /** One per `throttle-consumer` fault. */
  throttles?: ThrottleFigures[];
  /** One per aggregator added, removed, killed or restarted by a fault. */
  rebalancePauses?: RebalancePause[];
  /** One row per broker outage: peak under-replicated partitions and their time back to 0. */
  urpRecovery?: UrpRecovery[];
  /** When the run was stopped early: milliseconds since the start of the load. */
  interruptedAtMs?: number;
  series: Series;
  assertions: Assertion[];
  faults: FaultRecord[];
  rateSearch?: RateSearchResult & {
    /** What stopped the search going higher, judged at the lowest rate it could not sustain. */
    limit?: RateLimiter;
  };
  baseline?: { file: string; comparisons: BaselineComparison[] };
  links: { prometheus?: string; grafana?: string };
}
