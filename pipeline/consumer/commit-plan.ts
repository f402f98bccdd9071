import type { AnalyticsRecord } from "./aggregate/record.ts";
import type { DeadLetter } from "./dead-letters.ts";
import type { PartitionWindow } from "./partition-window.ts";

/** What one window's transaction publishes and commits, whichever client carries it. */
export interface WindowPlan {
  partition: number;
  /** The window's first input offset: where its records are read again if the transaction fails. */
  firstOffset: string;
  /** The window's last input offset. */
  lastOffset: string;
  /** When its records were emitted (epoch ms): their Kafka timestamp. */
  emittedAtMs: number;
  records: AnalyticsRecord[];
  deadLetters: DeadLetter[];
  /**
   * The input offset committed in the transaction, the one after the window's last record; none when the
   * offsets are committed as they are read (see `CoreRules.offsets`).
   */
  nextOffset: string | undefined;
  /** The seconds from each counted record's Kafka timestamp to `committedAtMs`, with how many records had it. */
  latencies(committedAtMs: number): { seconds: number; count: number }[];
}

export type PlanWindow = (
  partition: number,
  window: PartitionWindow,
  aggregator: { instanceId: string; emittedAtMs: number },
) => WindowPlan;

/** The plan of a window taken from the open set: its analytics records, its dead letters and its next offset. */
export const planWindow: PlanWindow = (partition, window, aggregator) => {
  const nextOffset = window.nextOffset() as string;
  return {
    partition,
    firstOffset: window.firstOffset() as string,
    lastOffset: (BigInt(nextOffset) - 1n).toString(),
    emittedAtMs: aggregator.emittedAtMs,
    records: window.toRecords(aggregator),
    deadLetters: window.deadLetters,
    nextOffset,
    latencies: (committedAtMs) => window.latencies(committedAtMs),
  };
};

/**
 * The rewind rule: after a failed transaction its windows are read again from their first offsets, and
 * nothing counted on those partitions since may be kept (it lies after a window that is not committed). The
 * offset committed by then may be later than the first (the transaction did commit, only its answer was
 * lost): what lies below it was counted, and must be skipped, not counted again.
 */
export function rewindTo(failed: readonly WindowPlan[]): { partition: number; offset: string }[] {
  return failed.map((plan) => ({ partition: plan.partition, offset: plan.firstOffset }));
}
