import { randomBytes } from "node:crypto";
import type { KafkaConnection } from "../kafka/client.ts";
import { type PlanWindow, planWindow, rewindTo, type WindowPlan } from "./commit-plan.ts";
import type { ConsumerMetrics } from "./metrics.ts";
import { type CountRecord, countRecord } from "./partition-window.ts";
import { countCommittedWindow } from "./window-metrics.ts";
import { type ReadRecord, WindowSet } from "./window-set.ts";

/** The aggregator as main.ts runs it, on either Kafka client. */
export interface Aggregator {
  /** Connects, joins the group and consumes until `stop()`. Resolves once consuming has begun. */
  start(): Promise<void>;
  /** Resolves if the aggregator dies of an error it cannot recover from. */
  failed(): Promise<Error>;
  /** Stops reading, commits every open window while still a member of the group, then leaves it. */
  stop(): Promise<void>;
}

export interface AggregatorOptions {
  connection: KafkaConnection;
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
  windowMs: number;
  metrics: ConsumerMetrics;
  instanceId?: string;
  clock?: { now(): number };
  log?: (line: string) => void;
  /** Set only by the lab's mutant aggregators: see `CoreRules`. */
  rules?: Partial<CoreRules>;
}

export type ResolvedOptions = Required<Omit<AggregatorOptions, "rules">>;

/**
 * The steps of the core that make it exactly once. The pipeline always runs `EXACTLY_ONCE`; each of the
 * lab's mutant aggregators (harness/testing/mutants) replaces one step with a defect, so that a test can show
 * the lab failing that defect by name.
 */
export interface CoreRules {
  /** Counts one input record into its partition's open window. */
  count: CountRecord;
  /** What a window's transaction publishes and commits. */
  plan: PlanWindow;
  /** Input offsets are committed in the window's transaction, or as the records are read (at least once). */
  offsets: "in-transaction" | "as-read";
  /**
   * After a failed transaction: its windows are read again (the rewind rule, `rewindTo`), or dropped while
   * reading goes on past them with the producer at hand.
   */
  afterFailure: "read-again" | "drop";
}

export const EXACTLY_ONCE: CoreRules = {
  count: countRecord,
  plan: planWindow,
  offsets: "in-transaction",
  afterFailure: "read-again",
};

/** What a Kafka client supplies to carry window plans through its transactions. */
export interface WindowTransactions {
  /**
   * Publishes every plan's analytics records and dead letters and commits its input offsets, all in one
   * transaction. Throws when the transaction did not commit.
   */
  commit(plans: readonly WindowPlan[]): Promise<void>;
  /**
   * After `commit` threw: ends what is left of the transaction and reads each partition in `rewind` again
   * from its offset (empty: nothing is read again).
   */
  recover(
    failed: readonly WindowPlan[],
    error: unknown,
    rewind: { partition: number; offset: string }[],
  ): Promise<void>;
}

/**
 * What both aggregators share: their options, the open windows, counting a batch into them, and the commit
 * step that takes windows, plans their transaction, hands it to the client's `WindowTransactions` and
 * applies the rewind rule when it fails.
 */
export class AggregatorCore {
  readonly options: ResolvedOptions;
  readonly rules: CoreRules;
  readonly windows: WindowSet;
  private crashed: ((error: Error) => void) | undefined;

  constructor(options: AggregatorOptions) {
    const { rules, ...given } = options;
    this.options = {
      instanceId: `${process.pid}-${randomBytes(3).toString("hex")}`,
      log: () => {},
      clock: { now: () => Date.now() },
      ...given,
    };
    this.rules = { ...EXACTLY_ONCE, ...rules };
    this.windows = new WindowSet({ topic: given.inputTopic, windowMs: given.windowMs }, this.rules.count);
  }

  /** Resolves with the error `crash` is called with. */
  failed(): Promise<Error> {
    return new Promise((resolve) => {
      this.crashed = resolve;
    });
  }

  crash(error: Error): void {
    this.crashed?.(error);
  }

  /**
   * Counts records of one batch into the open windows: `records`, of the `read` the batch held (the others
   * were counted before, or are no longer this member's). Returns the last record counted of each partition.
   */
  count(read: number, records: Iterable<ReadRecord>): Map<number, ReadRecord> {
    const { metrics, inputTopic, clock } = this.options;
    metrics.recordsConsumed.inc({ topic: inputTopic }, read);
    return this.windows.count(records, clock.now());
  }

  /**
   * Commits the partitions' open windows in one transaction. False when it failed: the windows are then
   * read again from their first offsets (or dropped, by a mutant's rules), and nothing counted on those
   * partitions since is kept.
   */
  async commit(partitions: Iterable<number>, transactions: WindowTransactions): Promise<boolean> {
    const taken = this.windows.take(partitions);
    if (taken.length === 0) return true;
    const { metrics, inputTopic, clock, instanceId } = this.options;
    const emittedAtMs = clock.now();
    const plans = taken.map(([partition, window]) => {
      const plan = this.rules.plan(partition, window, { instanceId, emittedAtMs });
      return this.rules.offsets === "in-transaction" ? plan : { ...plan, nextOffset: undefined };
    });
    const started = performance.now();
    try {
      await transactions.commit(plans);
    } catch (error) {
      const rewind = this.rules.afterFailure === "read-again" ? rewindTo(plans) : [];
      this.windows.drop(rewind.map(({ partition }) => partition));
      await transactions.recover(plans, error, rewind);
      return false;
    }
    const flushSeconds = (performance.now() - started) / 1000;
    for (const plan of plans)
      countCommittedWindow(metrics, inputTopic, {
        records: plan.records,
        latencies: plan.latencies(clock.now()),
        flushSeconds,
      });
    return true;
  }
}
