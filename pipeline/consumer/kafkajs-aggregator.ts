import type { Admin, Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import {
  type Aggregator,
  AggregatorCore,
  type AggregatorOptions,
  type WindowTransactions,
} from "./aggregator-core.ts";
import type { WindowPlan } from "./commit-plan.ts";
import { GroupMembership } from "./group-membership.ts";
import { commitWindow, WindowCommitError } from "./kafkajs-transactions.ts";
import { batchAction, type Claim, PartitionOwners, TRANSACTION_TIMEOUT_MS } from "./partition-owners.ts";
import { recordLag } from "./window-metrics.ts";

/**
 * The offset the batch's fetch asked for. kafkajs keeps it on its Batch object (`fetchedOffset`) but not in its
 * types; without it, the batch's first offset, control records included, is the closest.
 */
function fetchedOffset(batch: EachBatchPayload["batch"]): bigint {
  const fetched = (batch as { fetchedOffset?: string }).fetchedOffset;
  return BigInt(fetched ?? batch.firstOffset() ?? batch.messages[0]?.offset ?? "0");
}

export interface KafkajsAggregatorOptions extends AggregatorOptions {
  /** Builds the Kafka client; a test may pass a fake one. */
  kafka?: (connection: KafkaConnection, clientId: string) => Kafka;
}

const SESSION_TIMEOUT_MS = 10_000;
/** After a failed claim (its coordinator unreachable), wait this long before the batch is read again. */
const RETRY_PAUSE_MS = 500;

/**
 * The login aggregator: counts `user-login` per input partition and tumbling window, and publishes each
 * count together with the consumed offsets in one Kafka transaction, so that a crash, a freeze or a
 * rebalance at any moment neither loses nor double-counts a record.
 *
 * Its parts: `AggregatorCore` (the open windows, their commit plans and the rewind rule, shared with the
 * librdkafka aggregator), `GroupMembership` (may this member commit now?), `PartitionOwners` (fencing with
 * one fresh transactional producer per partition and generation) and `commitWindow` (the transaction). This
 * class wires them to the kafkajs consumer. Its rules: a window whose commit fails is read again from its
 * first offset with a new producer; a generation starts with no producer and no window kept; a member that
 * may have been evicted neither commits nor claims; `stop()` commits, then leaves.
 */
export class KafkajsAggregator implements Aggregator {
  private readonly core: AggregatorCore;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly membership = new GroupMembership(SESSION_TIMEOUT_MS / 2);
  private readonly owners: PartitionOwners;
  private lock: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor({ kafka: makeKafka = createKafka, ...options }: KafkajsAggregatorOptions) {
    this.core = new AggregatorCore(options);
    const { groupId, inputTopic, instanceId, connection } = this.core.options;
    const kafka = makeKafka(connection, `login-aggregator-${instanceId}`);
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      readUncommitted: false,
    });
    this.admin = kafka.admin();
    this.owners = new PartitionOwners({
      createProducer: (partition) =>
        kafka.producer({
          transactionalId: `${groupId}-${inputTopic}-${partition}`,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: TRANSACTION_TIMEOUT_MS,
        }),
      committedOffset: (partition) => this.committedOffset(partition),
    });
  }

  /** Connects, joins the group and consumes until `stop()`. Resolves once consuming has begun. */
  async start(): Promise<void> {
    const { consumer, membership } = this;
    const { options } = this.core;
    consumer.on(consumer.events.REBALANCING, () => membership.onRebalancing());
    consumer.on(consumer.events.HEARTBEAT, () => membership.onHeartbeat(options.clock.now()));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      membership.onJoin(options.clock.now());
      options.metrics.rebalances.inc();
      const assigned = event.payload.memberAssignment[options.inputTopic] ?? [];
      options.log(`joined group ${options.groupId}: partitions ${assigned.join(",") || "none"}`);
      void this.exclusive(() => this.onNewGeneration());
    });
    consumer.on(consumer.events.CRASH, (event) => {
      options.log(
        `consumer crashed: ${event.payload.error.message}${event.payload.restart ? " (restarting)" : ""}`,
      );
      if (!event.payload.restart) this.core.crash(event.payload.error);
    });
    await this.admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: options.inputTopic, fromBeginning: true });
    await consumer.run({
      // Offsets as read: kafkajs commits every resolved offset itself (only the at-least-once mutant).
      autoCommit: this.core.rules.offsets === "as-read",
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)),
    });
    const tick = Math.max(100, Math.min(1_000, Math.floor(options.windowMs / 4)));
    this.idleTimer = setInterval(() => {
      if (this.stopping || !membership.mayCommit(options.clock.now())) return;
      this.exclusive(() => this.flushDue()).catch((error: Error) => {
        options.log(`committing a due window failed: ${error.message}`);
      });
    }, tick);
  }

  /** Resolves when the consumer has died for good (kafkajs gave up restarting it). */
  failed(): Promise<Error> {
    return this.core.failed();
  }

  /**
   * Stops reading, commits every open window while still a member of the group (so that no new owner
   * reads those records again), then leaves the group and closes the producers.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.idleTimer);
    try {
      this.consumer.pause([{ topic: this.core.options.inputTopic }]);
    } catch {
      // Not consuming (kafkajs is between a crash and its restart): there is nothing to pause.
    }
    const committed = await this.exclusive(async () => {
      let windows = 0;
      for (const partition of this.core.windows.partitions()) if (await this.flush(partition)) windows += 1;
      return windows;
    });
    this.core.options.log(`stopping: committed ${committed} open window(s); leaving the group`);
    await this.consumer.disconnect();
    this.membership.onLeave();
    await this.owners.releaseAll();
    await this.admin.disconnect();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => {});
    return run;
  }

  /**
   * kafkajs restarts every partition from its committed offset in a new generation: no window is kept, and
   * no producer either, so that each partition is claimed (and fenced) again. Only the drop-on-fence mutant,
   * which reads on past a failed window with the producer at hand, keeps its producers.
   */
  private async onNewGeneration(): Promise<void> {
    this.core.windows.dropAll();
    if (this.core.rules.afterFailure === "read-again") await this.owners.releaseAll();
  }

  private async committedOffset(partition: number): Promise<bigint | "pending"> {
    const { groupId, inputTopic } = this.core.options;
    let offsets: Awaited<ReturnType<Admin["fetchOffsets"]>>[number] | undefined;
    try {
      [offsets] = await this.admin.fetchOffsets({ groupId, topics: [inputTopic], requireStable: true });
    } catch (error) {
      if ((error as { type?: string }).type === "UNSTABLE_OFFSET_COMMIT") return "pending";
      throw error;
    }
    const committed = BigInt(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? "-1");
    if (committed >= 0n) return committed;
    // No commit yet: reading starts at the beginning of the partition, as the consumer does.
    const ends = await this.admin.fetchTopicOffsets(inputTopic);
    return BigInt(ends.find((p) => p.partition === partition)?.low ?? "0");
  }

  private async claim(partition: number, firstOffset: string): Promise<Claim | undefined> {
    try {
      const claim = await this.owners.claim(partition);
      this.core.options.log(
        `partition ${partition}: claimed with a new producer; committed offset ${claim.committed}`,
      );
      return claim;
    } catch (error) {
      this.core.options.log(
        `partition ${partition}: cannot claim it yet (${(error as Error).message}); reading from ${firstOffset} again shortly`,
      );
      this.consumer.seek({ topic: this.core.options.inputTopic, partition, offset: firstOffset });
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      return undefined;
    }
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { partition, messages } = batch;
    const { metrics, inputTopic, clock, log } = this.core.options;
    const firstMessage = messages[0];
    if (this.stopping || !firstMessage) return;
    if (!this.membership.mayCommit(clock.now())) {
      // Frozen long enough to have been evicted: ask the coordinator (kafkajs rejoins if the group moved on).
      await heartbeat();
      if (!this.membership.mayCommit(clock.now())) return;
    }
    const claim = this.owners.get(partition) ?? (await this.claim(partition, firstMessage.offset));
    if (!claim) return;
    const fetchedFrom = fetchedOffset(batch);
    if (batchAction(claim.next, fetchedFrom) === "seek") {
      log(
        `partition ${partition}: fetched from ${fetchedFrom}, past ${claim.next}, the next to count; going back`,
      );
      this.consumer.seek({ topic: inputTopic, partition, offset: claim.next.toString() });
      return;
    }
    // A claim can take long (its coordinator hung): commit only while still surely a member.
    const due = this.core.windows.isDue(partition, clock.now()) && this.membership.mayCommit(clock.now());
    if (due && !(await this.flush(partition))) return;
    // The loop awaits nothing, so whether the batch is still wanted cannot change inside it: ask once.
    const last = isRunning() && !isStale() ? messages[messages.length - 1] : undefined;
    // Offsets rise through a batch: when its first is still to count, every one is.
    const allNew = BigInt(firstMessage.offset) >= claim.next;
    const toCount = last ? messages.filter((m) => allNew || BigInt(m.offset) >= claim.next) : [];
    this.core.count(
      messages.length,
      toCount.map((message) => ({
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        timestampMs: Number(message.timestamp),
      })),
    );
    if (last) {
      // What kafkajs resolves with the last record: the batch's last offset, control records included.
      const after = BigInt(batch.lastOffset()) + 1n;
      if (after > claim.next) claim.next = after;
      // kafkajs turns each resolved offset into a Long and back; resolving the last one alone is the same.
      resolveOffset(last.offset);
      recordLag(metrics, inputTopic, partition, {
        highWatermark: batch.highWatermark,
        lastOffset: last.offset,
        lastTimestampMs: Number(last.timestamp),
        nowMs: clock.now(),
      });
    }
    await heartbeat();
  }

  private async flushDue(): Promise<void> {
    const now = this.core.options.clock.now();
    for (const partition of this.core.windows.due(now)) {
      if (this.stopping || !this.membership.mayCommit(now)) return;
      await this.flush(partition);
    }
  }

  /**
   * Commits the partition's window. On failure the window is read again from its first offset under a
   * new claim (a new producer: the old one may be fenced, or wedged mid-commit). False when it failed.
   */
  private async flush(partition: number): Promise<boolean> {
    const claim = this.owners.get(partition);
    if (claim) return this.core.commit([partition], this.transactions(claim));
    const [taken] = this.core.windows.take([partition]);
    if (!taken) return true;
    const [, window] = taken;
    this.consumer.seek({
      topic: this.core.options.inputTopic,
      partition,
      offset: window.firstOffset() as string,
    });
    return false;
  }

  /** A claim's transactions: one window each, through the partition's own producer. */
  private transactions(claim: Claim): WindowTransactions {
    const { groupId, inputTopic, outputTopic, dlqTopic } = this.core.options;
    return {
      commit: async (plans) => {
        for (const plan of plans)
          await commitWindow(claim.producer, plan, { groupId, inputTopic, outputTopic, dlqTopic });
      },
      recover: (failed, error, rewind) => this.recover(failed, error, rewind),
    };
  }

  /** `commitWindow` has aborted what it could; its producer may be unusable, so its claim is given up. */
  private async recover(
    failed: readonly WindowPlan[],
    error: unknown,
    rewind: { partition: number; offset: string }[],
  ): Promise<void> {
    const { inputTopic, log } = this.core.options;
    const why =
      error instanceof WindowCommitError && error.fenced
        ? "fenced by a newer owner"
        : (error as Error).message;
    const then = (from: string) => (rewind.length > 0 ? `reading it again from ${from}` : "dropped");
    for (const { partition, firstOffset, lastOffset } of failed)
      log(
        `partition ${partition}: window ${firstOffset}–${lastOffset} not committed (${why}); ${then(firstOffset)}`,
      );
    for (const { partition, offset } of rewind) {
      await this.owners.release(partition);
      this.consumer.seek({ topic: inputTopic, partition, offset });
    }
  }
}
