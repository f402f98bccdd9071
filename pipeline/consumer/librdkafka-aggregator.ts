import { randomBytes } from "node:crypto";
import {
  loadLibrdkafka,
  RD_ASSIGN_PARTITIONS,
  RD_OFFSET_BEGINNING,
  type RdConsumer,
  type RdKafkaError,
  type RdMessage,
  type RdTopicPartition,
  type RdTopicPartitionOffset,
  type RdTransactionalProducer,
} from "../kafka/librdkafka.ts";
import { librdkafkaConnection } from "../kafka/librdkafka-producer.ts";
import { analyticsKey, encodeAnalyticsRecord } from "./aggregate/record.ts";
import type { AggregatorOptions } from "./kafkajs-aggregator.ts";
import { countRecord, type PartitionWindow } from "./partition-window.ts";
import { countCommittedWindow, recordLag } from "./window-metrics.ts";

/** Records asked of librdkafka per call; it returns fewer when fewer are ready. */
const BATCH = 1_000;
/** How long one call waits for its first record: also how soon a due window is seen when input is idle. */
const POLL_MS = 100;
/** For the transaction calls and the committed-offset read, each. */
const CALL_TIMEOUT_MS = 30_000;
/**
 * A crashed member's open transaction blocks the partitions' new owners (their offset read waits for it, as
 * KIP-447 asks) until the coordinator aborts it: at most this long. A window's transaction lasts a round trip
 * or three, so a short timeout costs nothing while all is well.
 */
const TRANSACTION_TIMEOUT_MS = 10_000;
/** How long a producer's disconnect may take: its 5 s flush and librdkafka's teardown. */
const DISCONNECT_WAIT_MS = 15_000;
/**
 * How long the consumer's close may take at stop: its LeaveGroup waits on a group coordinator that may be
 * down. Together with a producer's close it stays inside the harness's 30 s SIGTERM grace.
 */
const LEAVE_WAIT_MS = 8_000;
/** After a failed resync (its coordinator unreachable, say), wait this long before trying again. */
const RETRY_PAUSE_MS = 500;

type Options = Required<Omit<AggregatorOptions, "log" | "clock" | "kafka">> & {
  log: (line: string) => void;
  clock: { now(): number };
};

/**
 * The login aggregator on librdkafka, fenced the way KIP-447 meant: one transactional producer per member,
 * and every window's offsets committed through its transaction with the consumer's group metadata, so the
 * broker itself refuses a commit from a member whose generation is over (a zombie). A new owner reads the
 * committed offsets with `require_stable` (librdkafka asks for it under read_committed), which waits for a
 * previous owner's transaction to end first. What this class keeps right on its own side:
 * - a window leaves the open set when its transaction starts, so it never changes while it commits; reading
 *   and counting go on meanwhile (one transaction at a time: librdkafka's producer holds one), because a
 *   transaction takes several round trips and the loop would otherwise wait most of its time on them;
 * - a rebalance drops every open window (their records are read again by whoever owns them next), and a
 *   batch fetched across a rebalance is dropped too, then each partition read again from its committed offset;
 * - a failed transaction is aborted (or its producer replaced when it cannot be); the windows counted since
 *   it began are dropped with it, and each partition is read again from its committed offset, which says
 *   whether the transaction counted.
 */
export class LibrdkafkaAggregator {
  private readonly options: Options;
  private readonly transactionalId: string;
  private readonly consumer: RdConsumer;
  private producer: RdTransactionalProducer | undefined;
  private readonly windows = new Map<number, PartitionWindow>();
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
  private crashed: ((error: Error) => void) | undefined;

  constructor(options: Omit<AggregatorOptions, "kafka">) {
    this.options = {
      instanceId: `${process.pid}-${randomBytes(3).toString("hex")}`,
      log: () => {},
      clock: { now: () => Date.now() },
      ...options,
    } as Options;
    const { groupId, inputTopic, instanceId, connection } = this.options;
    this.transactionalId = `${groupId}-${inputTopic}-${instanceId}`;
    const module = librdkafka();
    this.consumer = new module.KafkaConsumer(
      {
        ...librdkafkaConnection(connection),
        "client.id": `login-aggregator-${instanceId}`,
        "group.id": groupId,
        "enable.auto.commit": false,
        "enable.auto.offset.store": false,
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
    this.consumer.on("event.error", (error) => this.options.log(`consumer: ${error.message}`));
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    options.log(`transactional id ${this.transactionalId}: one producer for every partition held (KIP-447)`);
    try {
      this.producer = await this.newProducer();
    } catch (error) {
      if ((error as RdKafkaError).isFatal) throw error;
      // A member restarted while a broker is down may find no transaction coordinator yet: the first
      // window's commit makes the producer instead of the member dying at start-up (issue 16).
      options.log(`no producer yet (${describe(error)}); the first window's commit makes one`);
    }
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: CALL_TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())),
    );
    consumer.setDefaultConsumeTimeout(POLL_MS);
    consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.subscribe([options.inputTopic]);
    this.loop = this.run().catch((error: Error) => {
      options.log(`the consume loop died: ${error.message}`);
      this.crashed?.(error);
    });
  }

  /** Resolves if the consume loop dies of an error it cannot recover from. */
  failed(): Promise<Error> {
    return new Promise((resolve) => {
      this.crashed = resolve;
    });
  }

  /** Stops reading, commits every open window while still a member, then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.loop;
    await this.committing;
    const windows = this.windows.size;
    const committed = windows > 0 && !this.resyncNeeded && (await this.flush(() => true));
    this.options.log(
      `stopping: ${committed ? `committed ${windows} open window(s)` : "no open window committed"}; leaving the group`,
    );
    // A close that never calls back (chaos seed 2: the coordinator's broker had just come back) would hold
    // the process past its SIGTERM grace; leaving without it only makes the group wait out the session.
    if (!(await closedWithin((done) => this.consumer.disconnect(done), LEAVE_WAIT_MS)))
      this.options.log(`the consumer did not close within ${LEAVE_WAIT_MS / 1000} s; exiting without it`);
    await this.closeProducer();
  }

  private onRebalance(error: RdKafkaError | undefined, partitions: RdTopicPartition[]): void {
    const { consumer, options } = this;
    this.epoch += 1;
    this.windows.clear();
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
        this.options.log(
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
      const now = this.options.clock.now();
      if (!this.committing && [...this.windows.values()].some((w) => w.isDue(now))) {
        this.committing = this.flush((w) => w.isDue(now)).finally(() => {
          this.committing = undefined;
        });
      }
    }
  }

  private consume(): Promise<RdMessage[]> {
    return new Promise((resolve, reject) =>
      this.consumer.consume(BATCH, (error, messages) => (error ? reject(error) : resolve(messages))),
    );
  }

  private count(messages: RdMessage[]): void {
    const { metrics, inputTopic, windowMs, clock } = this.options;
    if (messages.length === 0) return;
    metrics.recordsConsumed.inc({ topic: inputTopic }, messages.length);
    const nowMs = clock.now();
    const last = new Map<number, RdMessage>();
    for (const message of messages) {
      const { partition, key } = message;
      if (!this.assigned.has(partition)) continue;
      countRecord(
        this.windows,
        { topic: inputTopic, partition, windowMs, nowMs },
        {
          offset: String(message.offset),
          key: typeof key === "string" ? Buffer.from(key) : (key ?? null),
          value: message.value,
          timestampMs: message.timestamp ?? nowMs,
        },
      );
      last.set(partition, message);
    }
    for (const [partition, message] of last) {
      const { highOffset } = this.consumer.getWatermarkOffsets(inputTopic, partition);
      recordLag(metrics, inputTopic, partition, {
        highWatermark: String(highOffset),
        lastOffset: String(message.offset),
        lastTimestampMs: message.timestamp ?? clock.now(),
        nowMs: clock.now(),
      });
    }
  }

  /**
   * Commits the chosen windows and their input offsets in one transaction. On failure the transaction is
   * aborted, every open window dropped and each partition read again from its committed offset.
   */
  private async flush(chosen: (window: PartitionWindow) => boolean): Promise<boolean> {
    const { metrics, inputTopic, outputTopic, dlqTopic, clock, instanceId, log } = this.options;
    const windows = [...this.windows].filter(([, window]) => chosen(window) && !window.isEmpty());
    if (windows.length === 0) return true;
    for (const [partition] of windows) this.windows.delete(partition);
    const started = performance.now();
    const emittedAtMs = clock.now();
    const outputs = windows.map(([partition, window]) => ({
      partition,
      window,
      records: window.toRecords({ instanceId, emittedAtMs }),
    }));
    try {
      this.producer ??= await this.newProducer();
      const producer = this.producer;
      await call((done) => producer.beginTransaction(done));
      for (const { records, window } of outputs) {
        for (const record of records)
          producer.produce(
            outputTopic,
            null,
            encodeAnalyticsRecord(record),
            analyticsKey(record.source),
            emittedAtMs,
            undefined,
          );
        for (const letter of window.deadLetters)
          producer.produce(
            dlqTopic,
            null,
            letter.value,
            letter.key,
            emittedAtMs,
            undefined,
            Object.entries(letter.headers).map(([key, value]) => ({ [key]: String(value) })),
          );
      }
      const offsets = outputs.map(({ partition, window }) => ({
        topic: inputTopic,
        partition,
        offset: Number(window.nextOffset()),
      }));
      await call((done) => producer.sendOffsetsToTransaction(offsets, this.consumer, CALL_TIMEOUT_MS, done));
      await call((done) => producer.commitTransaction(CALL_TIMEOUT_MS, done));
    } catch (error) {
      const ranges = outputs
        .map(({ partition, window }) => `${partition}@${window.firstOffset()}`)
        .join(", ");
      log(
        `window(s) ${ranges} not committed (${describe(error)}); reading every partition again from its committed offset`,
      );
      this.epoch += 1;
      this.windows.clear();
      this.resyncNeeded = true;
      await this.abandonTransaction();
      return false;
    }
    const flushSeconds = (performance.now() - started) / 1000;
    for (const { records, window } of outputs)
      countCommittedWindow(metrics, inputTopic, {
        records,
        latencies: window.latencies(clock.now()),
        flushSeconds,
      });
    return true;
  }

  /** Aborts the failed transaction; a producer that cannot abort (fatal, or unsure) is replaced. */
  private async abandonTransaction(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    try {
      await call((done) => producer.abortTransaction(CALL_TIMEOUT_MS, done));
    } catch (error) {
      this.options.log(`abort failed (${describe(error)}); a new producer will fence this one`);
      this.producer = undefined;
      await this.disconnect(producer);
    }
  }

  /**
   * Disconnects a producer, waiting at most a little longer than its flush: a close that never calls back
   * would hold the window commit in flight, and with it every resync and `stop()`.
   */
  private async disconnect(producer: RdTransactionalProducer): Promise<void> {
    if (!(await closedWithin((done) => producer.disconnect(5_000, done), DISCONNECT_WAIT_MS)))
      this.options.log(`a producer did not close within ${DISCONNECT_WAIT_MS / 1000} s; going on without it`);
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
    const { inputTopic, log } = this.options;
    await this.committing;
    const epoch = this.epoch;
    this.windows.clear();
    const partitions = [...this.assigned].map((partition) => ({ topic: inputTopic, partition }));
    if (partitions.length === 0) {
      this.resyncNeeded = false;
      return true;
    }
    try {
      const committed = await new Promise<{ partition: number; offset: number }[]>((resolve, reject) =>
        this.consumer.committed(partitions, CALL_TIMEOUT_MS, (error, offsets) =>
          error ? reject(error) : resolve(offsets),
        ),
      );
      if (epoch !== this.epoch) return false;
      this.consumer.assign(resumeAt(inputTopic, committed));
    } catch (error) {
      log(`cannot resume from the committed offsets yet (${describe(error)}); trying again shortly`);
      return false;
    }
    if (epoch !== this.epoch) return false;
    this.resyncNeeded = false;
    return true;
  }

  private async newProducer(): Promise<RdTransactionalProducer> {
    const producer = new (librdkafka().Producer)({
      ...librdkafkaConnection(this.options.connection),
      "client.id": `login-aggregator-${this.options.instanceId}`,
      "transactional.id": this.transactionalId,
      "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
      "enable.idempotence": true,
      acks: "all",
      // A dead letter is an input record as the broker took it, plus headers: allow what the broker allows.
      "message.max.bytes": 1_048_588,
    });
    producer.on("event.error", (error) => this.options.log(`producer: ${error.message}`));
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: CALL_TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())),
    );
    // With the same transactional id, this fences an earlier producer of ours and ends its open transaction.
    try {
      await call((done) => producer.initTransactions(CALL_TIMEOUT_MS, done));
    } catch (error) {
      // Left connected, librdkafka would go on initialising it and fence the next producer of ours.
      await this.disconnect(producer);
      throw error;
    }
    return producer;
  }

  private async closeProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await this.disconnect(producer);
  }
}

/** Where each partition resumes: its committed offset, or the beginning when it has none (librdkafka's -1001). */
export function resumeAt(
  topic: string,
  committed: { partition: number; offset: number }[],
): RdTopicPartitionOffset[] {
  return committed.map(({ partition, offset }) => ({
    topic,
    partition,
    offset: offset >= 0 ? offset : RD_OFFSET_BEGINNING,
  }));
}

function librdkafka() {
  const loaded = loadLibrdkafka();
  if (!loaded.ok) throw new Error(loaded.why);
  return loaded.module;
}

function call(start: (done: (error: RdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `close` called back within `waitMs`: librdkafka's closes can wait forever on a broker that is gone. */
export async function closedWithin(close: (done: () => void) => void, waitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<boolean>((resolve) => close(() => resolve(true)));
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  return inTime;
}
