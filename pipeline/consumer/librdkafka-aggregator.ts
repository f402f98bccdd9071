import {
  loadLibrdkafka,
  RD_ASSIGN_PARTITIONS,
  RD_OFFSET_BEGINNING,
  type RdConsumer,
  type RdKafkaError,
  type RdKafkaModule,
  type RdMessage,
  type RdTopicPartition,
  type RdTopicPartitionOffset,
} from "../kafka/librdkafka.ts";
import { librdkafkaConnection } from "../kafka/librdkafka-producer.ts";
import {
  type Aggregator,
  AggregatorCore,
  type AggregatorOptions,
  type WindowTransactions,
} from "./aggregator-core.ts";
import type { WindowPlan } from "./commit-plan.ts";
import {
  CALL_TIMEOUT_MS,
  call,
  closedWithin,
  describe,
  LibrdkafkaTransactions,
} from "./librdkafka-transactions.ts";
import { recordLag } from "./window-metrics.ts";

/** Records asked of librdkafka per call; it returns fewer when fewer are ready. */
const BATCH = 1_000;
/** How long one call waits for its first record: also how soon a due window is seen when input is idle. */
const POLL_MS = 100;
/**
 * How long the consumer's close may take at stop: its LeaveGroup waits on a group coordinator that may be
 * down. Together with a producer's close it stays inside the harness's 30 s SIGTERM grace.
 */
const LEAVE_WAIT_MS = 8_000;
/** After a failed resync (its coordinator unreachable, say), wait this long before trying again. */
const RETRY_PAUSE_MS = 500;

export interface LibrdkafkaAggregatorOptions extends AggregatorOptions {
  /** The native client's module; a test may pass a stand-in. */
  binding?: RdKafkaModule;
}

/**
 * The login aggregator on librdkafka, fenced the way KIP-447 meant (see `LibrdkafkaTransactions`): the broker
 * itself refuses a commit from a member whose generation is over (a zombie). A new owner reads the
 * committed offsets with `require_stable` (librdkafka asks for it under read_committed), which waits for a
 * previous owner's transaction to end first. The open windows, their plans and the rewind rule are the
 * `AggregatorCore`'s, shared with the kafkajs aggregator. What this class keeps right on its own side:
 * - a window leaves the open set when its transaction starts, so it never changes while it commits; reading
 *   and counting go on meanwhile (one transaction at a time: librdkafka's producer holds one), because a
 *   transaction takes several round trips and the loop would otherwise wait most of its time on them;
 * - a rebalance drops every open window (their records are read again by whoever owns them next), and a
 *   batch fetched across a rebalance is dropped too, then each partition read again from its committed offset;
 * - a failed transaction is aborted (or its producer replaced when it cannot be); the windows counted since
 *   it began are dropped with it, and each partition is read again from its committed offset, which says
 *   whether the transaction counted.
 */
export class LibrdkafkaAggregator implements Aggregator {
  private readonly core: AggregatorCore;
  private readonly transactionalId: string;
  private readonly consumer: RdConsumer;
  private readonly transactions: LibrdkafkaTransactions;
  private assigned = new Set<number>();
  /**
   * Moves on at every rebalance and every failed transaction: a batch fetched under an older value may hold
   * records no longer ours, or records after a window that must be read again.
   */
  private epoch = 0;
  /** The transaction in flight, if any. */
  private committing: Promise<boolean> | undefined;
  /** The open windows were dropped: read each partition again from its committed offset. */
  private resyncNeeded = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  /** What the core's commit step carries its plans through. */
  private readonly windowTransactions: WindowTransactions = {
    commit: (plans) => this.transactions.commit(plans),
    recover: (failed, error, rewind) => this.recover(failed, error, rewind),
  };

  constructor({ binding = librdkafka(), ...options }: LibrdkafkaAggregatorOptions) {
    this.core = new AggregatorCore(options);
    const { groupId, inputTopic, outputTopic, dlqTopic, instanceId, connection, log } = this.core.options;
    this.transactionalId = `${groupId}-${inputTopic}-${instanceId}`;
    // Offsets as read: librdkafka stores and commits them itself (only the at-least-once mutant).
    const asRead = this.core.rules.offsets === "as-read";
    this.consumer = new binding.KafkaConsumer(
      {
        ...librdkafkaConnection(connection),
        "client.id": `login-aggregator-${instanceId}`,
        "group.id": groupId,
        "enable.auto.commit": asRead,
        "enable.auto.offset.store": asRead,
        "isolation.level": "read_committed",
        "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 1_000,
        "fetch.max.bytes": 16 * 1024 * 1024,
        "max.partition.fetch.bytes": 4 * 1024 * 1024,
        rebalance_cb: (error: RdKafkaError | undefined, partitions: RdTopicPartition[]) =>
          this.onRebalance(error, partitions),
      },
      { "auto.offset.reset": "earliest" },
    );
    this.consumer.on("event.error", (error) => log(`consumer: ${error.message}`));
    this.transactions = new LibrdkafkaTransactions({
      binding,
      connection,
      clientId: `login-aggregator-${instanceId}`,
      transactionalId: this.transactionalId,
      consumer: this.consumer,
      topics: { inputTopic, outputTopic, dlqTopic },
      log,
    });
  }

  async start(): Promise<void> {
    const { consumer } = this;
    const { options } = this.core;
    options.log(`transactional id ${this.transactionalId}: one producer for every partition held (KIP-447)`);
    await this.transactions.open();
    await call("the consumer's connect", (done) => consumer.connect({ timeout: CALL_TIMEOUT_MS }, done));
    consumer.setDefaultConsumeTimeout(POLL_MS);
    consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.subscribe([options.inputTopic]);
    this.loop = this.run().catch((error: Error) => {
      options.log(`the consume loop died: ${error.message}`);
      this.core.crash(error);
    });
  }

  /** Resolves if the consume loop dies of an error it cannot recover from. */
  failed(): Promise<Error> {
    return this.core.failed();
  }

  /** Stops reading, commits every open window while still a member, then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.loop;
    await this.committing;
    const { windows, options } = this.core;
    const open = windows.size;
    const committed =
      open > 0 &&
      !this.resyncNeeded &&
      (await this.core.commit(windows.partitions(), this.windowTransactions));
    options.log(
      `stopping: ${committed ? `committed ${open} open window(s)` : "no open window committed"}; leaving the group`,
    );
    // A close that never calls back (chaos seed 2: the coordinator's broker had just come back) would hold
    // the process past its SIGTERM grace; leaving without it only makes the group wait out the session.
    if (!(await closedWithin((done) => this.consumer.disconnect(done), LEAVE_WAIT_MS)))
      options.log(`the consumer did not close within ${LEAVE_WAIT_MS / 1000} s; exiting without it`);
    await this.transactions.close();
  }

  /**
   * After a failed transaction: every open window is dropped and each partition read again from its
   * committed offset, which says whether the transaction counted; then the transaction is aborted.
   */
  private async recover(
    failed: readonly WindowPlan[],
    error: unknown,
    rewind: { partition: number; offset: string }[],
  ): Promise<void> {
    const ranges = failed.map(({ partition, firstOffset }) => `${partition}@${firstOffset}`).join(", ");
    if (rewind.length > 0) {
      this.core.options.log(
        `window(s) ${ranges} not committed (${describe(error)}); reading every partition again from its committed offset`,
      );
      this.epoch += 1;
      this.core.windows.dropAll();
      this.resyncNeeded = true;
    } else this.core.options.log(`window(s) ${ranges} not committed (${describe(error)}); dropped`);
    await this.transactions.abandon();
  }

  private onRebalance(error: RdKafkaError | undefined, partitions: RdTopicPartition[]): void {
    const { consumer } = this;
    const { options } = this.core;
    this.epoch += 1;
    this.core.windows.dropAll();
    if (this.stopping) {
      this.leaveAssignment(error, partitions);
      return;
    }
    if (error?.code === RD_ASSIGN_PARTITIONS) {
      this.assigned = new Set(partitions.map((p) => p.partition));
      options.metrics.rebalances.inc();
      options.log(
        `joined group ${options.groupId}: partitions ${[...this.assigned].sort((a, b) => a - b).join(",") || "none"}`,
      );
      consumer.assign(partitions);
    } else {
      this.assigned = new Set();
      consumer.unassign();
    }
  }

  /**
   * A rebalance served while leaving the group is answered with an empty assignment: the binding refuses
   * `assign` once its close has begun ("Local: Erroneous state", thrown inside the callback, which crashed
   * the process: chaos seed 11 on librdkafka, an assignment that arrived after SIGTERM), and a member that
   * leaves takes no partition. The empty answer still lets librdkafka's close go on.
   */
  private leaveAssignment(error: RdKafkaError | undefined, partitions: RdTopicPartition[]): void {
    this.assigned = new Set();
    try {
      this.consumer.unassign();
    } catch (failure) {
      this.core.options.log(`leaving the group: unassign refused (${describe(failure)})`);
    }
    if (error?.code === RD_ASSIGN_PARTITIONS)
      this.core.options.log(
        `leaving the group: partitions ${partitions.map((p) => p.partition).join(",")} offered, not taken`,
      );
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      // A failed resync still lets the loop consume: rebalances are served only inside consume(), and a
      // member that stops consuming holds its partitions and the whole group's next rebalance (issue 16).
      if (this.resyncNeeded && !(await this.resync())) await sleep(RETRY_PAUSE_MS);
      const epoch = this.epoch;
      let messages: RdMessage[];
      try {
        messages = await this.consume();
      } catch (error) {
        if ((error as RdKafkaError).isFatal) throw error;
        // Among these errors is librdkafka's own committed-offset read at an assignment failing: it then
        // never starts those partitions (they stay assigned, unread, until reassigned), so reassign them.
        this.core.options.log(
          `reading failed (${describe(error)}); reading every partition again from its committed offset`,
        );
        this.resyncNeeded = true;
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      if (epoch !== this.epoch || this.resyncNeeded) {
        // Fetched across a rebalance (some records may be a revoked assignment's, some the new one's), or
        // after a window whose transaction failed and which must be read again first.
        if (messages.length > 0 && epoch !== this.epoch) this.resyncNeeded = true;
        continue;
      }
      this.count(messages);
      const due = this.core.windows.due(this.core.options.clock.now());
      if (!this.committing && due.length > 0) {
        this.committing = this.core.commit(due, this.windowTransactions).finally(() => {
          this.committing = undefined;
        });
      }
    }
  }

  private consume(): Promise<RdMessage[]> {
    return call<RdMessage[]>("consume", (done) => this.consumer.consume(BATCH, done), CALL_TIMEOUT_MS);
  }

  private count(messages: RdMessage[]): void {
    const { metrics, inputTopic, clock } = this.core.options;
    if (messages.length === 0) return;
    const nowMs = clock.now();
    const ours = messages.filter(({ partition }) => this.assigned.has(partition));
    const last = this.core.count(
      messages.length,
      ours.map(({ partition, offset, key, value, timestamp }) => ({
        partition,
        offset: String(offset),
        key: typeof key === "string" ? Buffer.from(key) : (key ?? null),
        value,
        timestampMs: timestamp ?? nowMs,
      })),
    );
    for (const [partition, record] of last) {
      const { highOffset } = this.consumer.getWatermarkOffsets(inputTopic, partition);
      recordLag(metrics, inputTopic, partition, {
        highWatermark: String(highOffset),
        lastOffset: record.offset,
        lastTimestampMs: record.timestampMs,
        nowMs: clock.now(),
      });
    }
  }

  /**
   * Sends every assigned partition back to its committed offset, once this member's own transaction in
   * flight has ended: read before its offsets reached the coordinator, the offset would be the one before it,
   * and its window would be counted twice. A previous owner's open transaction, the offset read waits for by
   * itself (require_stable). The partitions are assigned again at those offsets rather than seeked: a seek
   * fails on a partition librdkafka has not started (its own committed-offset read still waiting, or failed
   * for good), and a resync that keeps failing on one wedged the member (issue 16). False when it could not.
   */
  private async resync(): Promise<boolean> {
    const { inputTopic, log } = this.core.options;
    await this.committing;
    const epoch = this.epoch;
    this.core.windows.dropAll();
    const partitions = [...this.assigned].map((partition) => ({ topic: inputTopic, partition }));
    if (partitions.length === 0) {
      this.resyncNeeded = false;
      return true;
    }
    try {
      const answer = await call<({ partition: number; offset?: number } | Error)[]>("committed", (done) =>
        this.consumer.committed(partitions, CALL_TIMEOUT_MS, done),
      );
      // The binding answers a partition whose offset could not be read (its coordinator moving or loading)
      // with an Error in its place: read as "no commit", it would send the partition back to its beginning.
      const unread = answer.filter((entry): entry is Error => entry instanceof Error);
      if (unread.length > 0)
        throw new Error(
          `${unread.length} committed offset(s) not read: ${unread.map((e) => e.message).join("; ")}`,
        );
      if (epoch !== this.epoch) return false;
      this.consumer.assign(resumeAt(inputTopic, answer as { partition: number; offset?: number }[]));
    } catch (error) {
      log(`cannot resume from the committed offsets yet (${describe(error)}); trying again shortly`);
      return false;
    }
    if (epoch !== this.epoch) return false;
    this.resyncNeeded = false;
    return true;
  }
}

/** Where each partition resumes: its committed offset, or the beginning when it has none (no `offset`, or -1001). */
export function resumeAt(
  topic: string,
  committed: { partition: number; offset?: number }[],
): RdTopicPartitionOffset[] {
  return committed.map(({ partition, offset }) => ({
    topic,
    partition,
    offset: offset !== undefined && offset >= 0 ? offset : RD_OFFSET_BEGINNING,
  }));
}

function librdkafka() {
  const loaded = loadLibrdkafka();
  if (!loaded.ok) throw new Error(loaded.why);
  return loaded.module;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
