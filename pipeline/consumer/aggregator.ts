import { randomBytes } from "node:crypto";
import type { Admin, Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { GroupMembership } from "./group-membership.ts";
import type { ConsumerMetrics } from "./metrics.ts";
import { batchAction, type Claim, PartitionOwners } from "./partition-owners.ts";
import { countRecord, type PartitionWindow } from "./partition-window.ts";
import { countCommittedWindow, recordLag } from "./window-metrics.ts";
import { commitWindow, WindowCommitError } from "./window-transaction.ts";

/**
 * The offset the batch's fetch asked for. kafkajs keeps it on its Batch object (`fetchedOffset`) but not in its
 * types; without it, the batch's first offset, control records included, is the closest.
 */
function fetchedOffset(batch: EachBatchPayload["batch"]): bigint {
  const fetched = (batch as { fetchedOffset?: string }).fetchedOffset;
  return BigInt(fetched ?? batch.firstOffset() ?? batch.messages[0]?.offset ?? "0");
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
 * Its parts: `GroupMembership` (may this member commit now?), `PartitionOwners` (fencing with one fresh
 * transactional producer per partition and generation), `PartitionWindow` (what a partition has read and
 * not committed), `commitWindow` (the transaction), dead letters and metrics. This class wires them to
 * the kafkajs consumer. Its rules: a window whose commit fails is read again from its first offset with
 * a new producer; a generation starts with no producer and no window kept; a member that may have been
 * evicted neither commits nor claims; `stop()` commits, then leaves.
 */
export class Aggregator {
  private readonly options: Required<Omit<AggregatorOptions, "log" | "clock" | "kafka">> & {
    log: (line: string) => void;
    clock: { now(): number };
  };
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly membership = new GroupMembership(SESSION_TIMEOUT_MS / 2);
  private readonly owners: PartitionOwners;
  private readonly windows = new Map<number, PartitionWindow>();
  private lock: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private crashed: ((error: Error) => void) | undefined;

  constructor(options: AggregatorOptions) {
    this.options = {
      instanceId: `${process.pid}-${randomBytes(3).toString("hex")}`,
      log: () => {},
      clock: { now: () => Date.now() },
      ...options,
    } as Aggregator["options"];
    const { groupId, inputTopic } = this.options;
    const kafka = (options.kafka ?? createKafka)(
      options.connection,
      `login-aggregator-${this.options.instanceId}`,
    );
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
          transactionTimeout: 60_000,
        }),
      committedOffset: (partition) => this.committedOffset(partition),
    });
  }

  /** Connects, joins the group and consumes until `stop()`. Resolves once consuming has begun. */
  async start(): Promise<void> {
    const { consumer, options, membership } = this;
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
      if (!event.payload.restart) this.crashed?.(event.payload.error);
    });
    await this.admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: options.inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
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
    return new Promise((resolve) => {
      this.crashed = resolve;
    });
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
      this.consumer.pause([{ topic: this.options.inputTopic }]);
    } catch {
      // Not consuming (kafkajs is between a crash and its restart): there is nothing to pause.
    }
    const committed = await this.exclusive(async () => {
      let windows = 0;
      for (const partition of [...this.windows.keys()]) if (await this.flush(partition)) windows += 1;
      return windows;
    });
    this.options.log(`stopping: committed ${committed} open window(s); leaving the group`);
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

  /** kafkajs restarts every partition from its committed offset in a new generation: nothing is kept. */
  private async onNewGeneration(): Promise<void> {
    this.windows.clear();
    await this.owners.releaseAll();
  }

  private async committedOffset(partition: number): Promise<bigint | "pending"> {
    const { groupId, inputTopic } = this.options;
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
      this.options.log(
        `partition ${partition}: claimed with a new producer; committed offset ${claim.committed}`,
      );
      return claim;
    } catch (error) {
      this.options.log(
        `partition ${partition}: cannot claim it yet (${(error as Error).message}); reading from ${firstOffset} again shortly`,
      );
      this.consumer.seek({ topic: this.options.inputTopic, partition, offset: firstOffset });
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
    const { metrics, inputTopic, clock, log } = this.options;
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
    const due = this.windows.get(partition)?.isDue(clock.now()) && this.membership.mayCommit(clock.now());
    if (due && !(await this.flush(partition))) return;
    metrics.recordsConsumed.inc({ topic: inputTopic }, messages.length);
    // The loop awaits nothing, so whether the batch is still wanted cannot change inside it: ask once.
    const last = isRunning() && !isStale() ? messages[messages.length - 1] : undefined;
    if (last) {
      // Offsets rise through a batch: when its first is still to count, every one is.
      const allNew = BigInt(firstMessage.offset) >= claim.next;
      const at = { topic: inputTopic, partition, windowMs: this.options.windowMs, nowMs: clock.now() };
      for (const message of messages) {
        if (allNew || BigInt(message.offset) >= claim.next)
          countRecord(this.windows, at, {
            offset: message.offset,
            key: message.key,
            value: message.value,
            timestampMs: Number(message.timestamp),
          });
      }
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
    const now = this.options.clock.now();
    for (const [partition, window] of [...this.windows]) {
      if (this.stopping || !this.membership.mayCommit(now)) return;
      if (window.isDue(now)) await this.flush(partition);
    }
  }

  /**
   * Commits the partition's window. On failure the window is read again from its first offset under a
   * new claim (a new producer: the old one may be fenced, or wedged mid-commit). False when it failed.
   */
  private async flush(partition: number): Promise<boolean> {
    const window = this.windows.get(partition);
    this.windows.delete(partition);
    if (!window || window.isEmpty()) return true;
    const { metrics, inputTopic, outputTopic, dlqTopic, groupId, clock, instanceId, log } = this.options;
    const from = window.firstOffset() as string;
    const claim = this.owners.get(partition);
    if (!claim) {
      this.consumer.seek({ topic: inputTopic, partition, offset: from });
      return false;
    }
    const nextOffset = window.nextOffset() as string;
    const records = window.toRecords({ instanceId, emittedAtMs: clock.now() });
    const started = performance.now();
    try {
      await commitWindow(
        claim.producer,
        { partition, records, deadLetters: window.deadLetters, nextOffset },
        { groupId, inputTopic, outputTopic, dlqTopic },
      );
    } catch (error) {
      const why =
        error instanceof WindowCommitError && error.fenced
          ? "fenced by a newer owner"
          : (error as Error).message;
      log(
        `partition ${partition}: window ${from}–${BigInt(nextOffset) - 1n} not committed (${why}); reading it again from ${from}`,
      );
      await this.owners.release(partition);
      this.consumer.seek({ topic: inputTopic, partition, offset: from });
      return false;
    }
    countCommittedWindow(metrics, inputTopic, {
      records,
      latencies: window.latencies(clock.now()),
      flushSeconds: (performance.now() - started) / 1000,
    });
    return true;
  }
}
