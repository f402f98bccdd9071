import type { FaultAction } from "../scenario/types.ts";

/** What the run did to the stack, in the order it was done; a fault that could not be applied fails the run. */
export interface FaultRecord {
  /** Milliseconds since the start of the load. */
  atMs: number;
  action: FaultAction;
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
  /** What a `throttle-consumer` did: its duty cycle, and per process how often and how long it was stopped. */
  throttle?: ThrottleRecord;
  /** Milliseconds since the start of the load when the action was done (a restarted broker launched again). */
  doneAtMs?: number;
  /** A `rolling-restart` step: how long after this broker started every partition was fully in sync. */
  inSyncWaitMs?: number;
  /**
   * A broker fault a nemesis held back until every partition was in sync: when the brokers' metadata showed
   * it, in milliseconds since the start of the load.
   */
  inSyncSeenAtMs?: number;
  /** A broker restart (local stack): how long until the broker served again, and how many launches it took. */
  startedAfterMs?: number;
  attempts?: number;
}

/** A SIGSTOP/SIGCONT duty cycle applied to aggregators' process groups for a span of the load. */
export interface ThrottleRecord {
  /** Share of each period the processes were stopped, in percent. */
  dutyPercent: number;
  periodMs: number;
  /** The span asked for. */
  forMs: number;
  /** When every process was left running again (SIGCONT), in ms since the start of the load. */
  releasedAtMs: number;
  /** `span`: at the end of its span; `run end`: the load ended (or was interrupted) first. */
  endedBy: "span" | "run end";
  processes: {
    consumerIndex: number;
    pid: number | undefined;
    /** SIGSTOPs sent. */
    cycles: number;
    /** Time spent stopped, measured. */
    stoppedMs: number;
    /** Set when the process could no longer be signalled (it exited during the throttle). */
    lost?: string;
  }[];
}
