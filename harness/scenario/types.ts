import type { MalformedKind } from "../../pipeline/events/generator.ts";
import type { NemesisSpec } from "./nemesis.ts";

/** A steady target rate, in events per second. */
export interface ConstantLoad {
  kind: "constant";
  rate: number;
}

/** A linear change from `from` to `to` events per second over the whole duration. */
export interface RampLoad {
  kind: "ramp";
  from: number;
  to: number;
}

/** Rates held one after another; the last one holds until the duration ends. */
export interface StepLoad {
  kind: "step";
  steps: { rate: number; holdMs: number }[];
}

/** `base` events per second, with `peak` from `atMs` for `forMs`. */
export interface SpikeLoad {
  kind: "spike";
  base: number;
  peak: number;
  atMs: number;
  forMs: number;
}

/**
 * The max-rate search: steps of `stepMs` starting at `startRate`, multiplied by `factor` while the pipeline
 * keeps up, up to `maxRate`, then bisecting; after a failing step, rate 0 for `stepMs` so that the driver and
 * the aggregators catch up; then `holdShare` × the highest sustained rate is held for `holdMs`.
 * `durationMs` bounds the whole search and hold.
 */
export interface SearchLoad {
  kind: "search";
  startRate: number;
  factor: number;
  stepMs: number;
  maxRate: number;
  holdShare: number;
  holdMs: number;
}

export type LoadProfile = ConstantLoad | RampLoad | StepLoad | SpikeLoad | SearchLoad;

/** Profiles whose rate at every moment is known before the run starts. */
export type FixedLoad = Exclude<LoadProfile, SearchLoad>;

export type FaultAction =
  | "kill"
  | "stop"
  | "pause"
  | "resume"
  | "restart"
  | "rolling-restart"
  | "kill-consumer"
  | "restart-consumer"
  | "stop-consumer"
  | "resume-consumer"
  | "add-consumer"
  | "remove-consumer"
  | "throttle-consumer";

export const BROKER_FAULT_ACTIONS = [
  "kill",
  "stop",
  "pause",
  "resume",
  "restart",
  "rolling-restart",
] as const;
/**
 * `kill-consumer` SIGKILL (a crash), `restart-consumer` start again (SIGTERM first if it runs, and like
 * `remove-consumer` it must then exit 0),
 * `stop-consumer` SIGSTOP (a freeze), `resume-consumer` SIGCONT, `add-consumer` start one more
 * aggregator, `remove-consumer` SIGTERM (it commits, leaves the group and must exit 0),
 * `throttle-consumer` a SIGSTOP/SIGCONT duty cycle for `forMs` (stopped `dutyPercent` of each `periodMs`).
 */
export const CONSUMER_FAULT_ACTIONS = [
  "kill-consumer",
  "restart-consumer",
  "stop-consumer",
  "resume-consumer",
  "add-consumer",
  "remove-consumer",
  "throttle-consumer",
] as const;

/**
 * One fault on the run's timeline. `target` is, for broker actions, `broker:<id>` (ids start at 1) or
 * `leader:<topic>/<partition>`: the broker leading that partition when the fault fires (a later fault
 * with the same target hits the same broker, so a `resume` follows its `pause`), or `controller`: the active
 * controller when the fault fires (resolved once the same way), or `coordinator:group` /
 * `coordinator:transaction`: the aggregators' group coordinator, or the transaction coordinator of one of
 * their transactional ids (resolved once the same way). `rolling-restart` takes `broker:*`: each
 * broker in turn stopped cleanly and started, the next only once every partition is in sync (or, with
 * `waitInSync: false`, `gapMs` after the previous one started). For consumer actions it
 * is `consumer:<index>` (indexes start at 0; `add-consumer` names the index the new one gets, the next
 * free one). With `jitterMs`, the fault fires at a moment drawn from the scenario's seed in
 * [atMs, atMs + jitterMs). `throttle-consumer` also takes `consumer:*` (every aggregator running then),
 * and needs `dutyPercent` and `forMs`; `periodMs` is 1 s unless given.
 */
export interface FaultStep {
  atMs: number;
  action: FaultAction;
  target: string;
  jitterMs?: number;
  /** Share of each period the throttled aggregators are stopped, in percent (above 0, below 100). */
  dutyPercent?: number;
  periodMs?: number;
  forMs?: number;
  /**
   * `rolling-restart` (target `broker:*`) only: how long to wait, after each broker starts, for every
   * partition to be fully in sync before the next broker; default 60 s. Past it the restart stops and fails.
   */
  inSyncTimeoutMs?: number;
  /** `rolling-restart` only: false restarts the next broker `gapMs` after the previous one started, in sync or not. */
  waitInSync?: boolean;
  /** `rolling-restart` with `waitInSync: false` only: the fixed gap between brokers; default 10 s. */
  gapMs?: number;
}

export interface Topology {
  partitions: number;
  consumers: number;
  brokers: 1 | 3;
  kraft: boolean;
}

/** Pass/fail limits. Each one left out is not checked. */
export interface Thresholds {
  maxLagOffsets?: number;
  maxLagSeconds?: number;
  /** Lag must reach zero within this long after the load ends. */
  drainWithinMs?: number;
  /** Achieved rate ÷ target rate, e.g. 0.95. */
  minAchievedRateShare?: number;
  minAchievedRate?: number;
  maxP99LatencyMs?: number;
  /** Growth of each process's resident memory (the lab's, each aggregator's) over the steady part, MB/h. */
  maxMemoryGrowthMBPerHour?: number;
  /** Under-replicated partitions back at 0 within this long after each broker outage ends. */
  urpZeroWithinMs?: number;
  /** Zero events lost and zero counted twice. */
  exact: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  /** One line, for `--list`. */
  summary: string;
  /** What a pass demonstrates, in a sentence or two. */
  proves: string;
  load: LoadProfile;
  durationMs: number;
  /** How long to wait for lag to reach zero after the load ends before giving up. */
  drainTimeoutMs: number;
  topology: Topology;
  /** The pipeline's aggregation window. */
  windowMs: number;
  /** Share of events sent malformed, 0..1. */
  malformed: number;
  /**
   * Which kinds of malformed record to send, in turn; all by default. A high-rate run may leave out the
   * oversized ones (`too_large`, `near_kafka_limit`), whose bytes would dwarf the logins'.
   */
  malformedKinds: MalformedKind[];
  seed: number;
  /** The timeline: as written, or generated from `seed` when the scenario asks for a nemesis. */
  faults: FaultStep[];
  /** Set when `faults` came from the nemesis, so a new seed or duration draws them again. */
  nemesis?: NemesisSpec;
  thresholds: Thresholds;
}

/** What a scenario file writes: fields with defaults may be left out. */
export type ScenarioInput = Omit<
  Scenario,
  "load" | "faults" | "thresholds" | "malformedKinds" | "nemesis"
> & {
  malformedKinds?: MalformedKind[];
  load: Exclude<LoadProfile, SearchLoad> | (Omit<SearchLoad, "holdShare"> & { holdShare?: number });
  /** A timeline, or `{ nemesis: {} }` for one drawn from the seed (harness/scenario/nemesis.ts). */
  faults?: FaultStep[] | { nemesis: NemesisSpec };
  thresholds: Omit<Thresholds, "exact"> & { exact?: boolean };
};

/** Identity helper so that a scenario file gets type checking and completion. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
