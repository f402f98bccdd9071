import type { FaultRecord } from "../faults/types.ts";

/** Burrow's statuses, and UNKNOWN for a second in which the lag could not be measured: never OK by default. */
export type LagStatus = "OK" | "WARN" | "STALL" | "STOP" | "UNKNOWN";

/**
 * Seconds in which a figure could not be measured, merged into runs: the series holds null there, and this
 * says why. `what` names the figure (lag offsets, lag seconds, broker metrics, memory of a process).
 */
export interface SeriesGap {
  what: string;
  /** Seconds since the start of the load, inclusive. */
  fromS: number;
  toS: number;
  samples: number;
  reason: string;
}

/** Memory of one process over time, in MB; null where a sample could not be taken. */
export interface MemorySeries {
  rssMB: (number | null)[];
  heapUsedMB: (number | null)[];
}

/** Time series sampled once a second; every array has the same length as `t`. */
export interface Series {
  /** Seconds since the start of the load. */
  t: number[];
  targetRate: (number | null)[];
  achievedRate: (number | null)[];
  aggregatedRate: (number | null)[];
  dlqRate: (number | null)[];
  /** Null in a second when the lag could not be measured; `gaps` says why. */
  lagOffsets: (number | null)[];
  /** Lag in offsets of each input partition, keyed by partition number. */
  lagOffsetsByPartition: Record<string, (number | null)[]>;
  lagSeconds: (number | null)[];
  lagStatus: LagStatus[];
  /** Null in a second when no aggregate became visible, so there was no latency to measure. */
  latencyP50Ms: (number | null)[];
  latencyP99Ms: (number | null)[];
  sendDelayP99Ms: (number | null)[];
  /** Null in a second when Prometheus did not answer in time. */
  brokerMessagesInRate?: (number | null)[];
  brokerBytesInRate?: (number | null)[];
  brokerBytesOutRate?: (number | null)[];
  underReplicatedPartitions?: (number | null)[];
  /** Why figures are missing from some seconds; absent or empty when every sample was taken. */
  gaps?: SeriesGap[];
  /** The lab's own process and each aggregator (`consumer-<index>`), keyed by process name. */
  memory?: Record<string, MemorySeries>;
  /**
   * Cores each process used in each second: the lab (`lab`), each aggregator (`consumer-<index>`) and each
   * broker (`broker-<id>`); null when it could not be read.
   */
  cpuCores?: Record<string, (number | null)[]>;
  /** Share of each second the lab's sending thread was busy (its event-loop utilisation). */
  driverThreadBusy?: (number | null)[];
}

export interface MemoryGrowth {
  /** MB per hour, from a least-squares line through each minute's lowest RSS over the steady part. */
  rssGrowthMBPerHour: number | null;
  /**
   * The same for the heap in use: each minute's lowest is what survives a collection, so its growth is
   * what the process keeps. The soak's threshold is judged on it (RSS also follows the collector's choice
   * of heap size, which grows with the allocation rate for a while without anything being kept).
   */
  heapGrowthMBPerHour: number | null;
  /** Why there is no figure, when there is none (too few samples). */
  reason?: string;
  firstRssMB: number | null;
  lastRssMB: number | null;
  samples: number;
}

export interface MemoryFigures {
  /** Seconds from the start of the load where the fit starts (the warm-up is left out). */
  steadyFromS: number;
  byProcess: Record<string, MemoryGrowth>;
}

/**
 * What set the highest sustainable rate: `driver` (the lab's sending thread was busy), `aggregators` (one
 * used a whole core), `machine` (every core was busy, so every part waited), or `unknown`; `evidence` gives
 * the symptom and the CPU each part used.
 */
export interface RateLimiter {
  by: "driver" | "aggregators" | "machine" | "unknown";
  evidence: string;
}

/** What a load spike did to the lag (scenarios with a `spike` profile). */
export interface SpikeFigures {
  spikeStartS: number;
  spikeEndS: number;
  peakLagOffsets: number;
  peakLagSeconds: number;
  /** The highest lag over the seconds before the spike: the level it must come back to. */
  levelBeforeOffsets: number | null;
  /** From the end of the spike until the lag was back at that level; null when it never was. */
  drainMs: number | null;
  reason?: string;
}

/** One change of the group's lag status in the per-second series. */
export interface LagStatusChange {
  /** Seconds since the start of the load. */
  t: number;
  from: LagStatus | null;
  to: LagStatus;
}

/** What a `throttle-consumer` fault did to the lag (the slow-consumer scenario). */
export interface ThrottleFigures {
  /** The throttle's span, in seconds since the start of the load. */
  startS: number;
  endS: number;
  /** Least-squares slope of the lag over the span; null (with `gaps`) when too few samples. */
  growthOffsetsPerS: number | null;
  /** Seconds of lag gained per second of the span. */
  growthLagSecondsPerS: number | null;
  peakLagOffsets: number | null;
  peakLagSeconds: number | null;
  /** The highest lag over the seconds before the throttle: the level it must come back to. */
  levelBeforeOffsets: number | null;
  /** From the release until the lag was back at that level; null when it never was or was not measured. */
  drainMs: number | null;
  /** First second, from the throttle's start on, with status WARN or worse (WARN, STALL, STOP). */
  warnAtS: number | null;
  /** First second after `warnAtS` with status OK again. */
  okAgainAtS: number | null;
  /** Every change of the lag status over the run. */
  statusChanges: LagStatusChange[];
  /** Why a figure above is null or rests on fewer samples than the span has: missing samples, or what the series showed instead. */
  gaps: { figure: "growth" | "drain" | "status"; reason: string }[];
}

/** The pause one membership change (add, remove, kill, restart of an aggregator) caused. */
export interface RebalancePause {
  atS: number;
  action: FaultRecord["action"];
  target: string;
  lagBeforeOffsets: number | null;
  /** Highest lag within `horizonS` after the change. */
  peakLagAfterOffsets: number | null;
  horizonS: number;
  /** Aggregated events/s over the two windows before the change. */
  rateBefore: number | null;
  /**
   * How much longer than usual nothing was aggregated: the longest quiet (no aggregate published) from the
   * change on, less the longest over the two windows before it (the usual quiet between window commits); 0
   * when none was longer.
   */
  pauseS: number | null;
  /** Why a figure above is null. */
  gaps: string[];
}

/**
 * One broker outage (kill, stop or pause until its restart or resume; or a restart on its own) and how the
 * cluster's under-replicated partitions (URP) went through it.
 */
export interface UrpRecovery {
  brokerId: number;
  /** "kill → restart", "pause → resume", "restart", "rolling-restart". */
  actions: string;
  /** Seconds since the start of the load: when the broker went down, and when it was back (null: never). */
  downAtS: number;
  upAtS: number | null;
  /** The highest URP sampled from the outage until the next broker fault (or the end of the series). */
  peakUrp: number | null;
  /** From the broker's return to the first second URP was 0 and stayed 0; null with the reason when not seen. */
  timeToZeroMs: number | null;
  /**
   * `metric`: the brokers' URP gauge, sampled from Prometheus once a second; `metadata`: a rolling restart's
   * own wait until every partition's ISR held all its replicas, asked of the brokers.
   */
  measuredBy?: "metric" | "metadata";
  /** The highest p99 end-to-end latency and send delay from the outage until URP was back at 0. */
  peakLatencyP99Ms: number | null;
  peakSendDelayP99Ms: number | null;
  /** The highest p99 end-to-end latency over the 10 s before the outage: what the spike compares with. */
  latencyP99BeforeMs: number | null;
  /**
   * When the next broker fault began before URP was back to 0: its second. The outages then overlap, and
   * this one's recovery is the later one's (the last outage of such a chain must reach 0 itself).
   */
  overlappedAtS?: number;
  reason?: string;
}
