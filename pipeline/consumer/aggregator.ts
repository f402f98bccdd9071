import { randomBytes } from "node:crypto";
import type { Admin, Consumer, EachBatchPayload, IHeaders, Producer } from "kafkajs";
import { type InvalidReason, validateRecord } from "../events/login-event.ts";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { analyticsKey, encodeAnalyticsRecord } from "./aggregate/record.ts";
import { PartitionWindowAccumulator, windowStart } from "./aggregate/window.ts";
import type { ConsumerMetrics } from "./metrics.ts";

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
}

export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** What one partition has read but not yet committed, in the current group generation. */
interface PartitionState {
  window: PartitionWindowAccumulator;
  deadLetters: DeadLetter[];
  /** Kafka timestamps of the window's records, counted per 100 ms, for the end-to-end latency histogram. */
  eventTimes: Map<number, number>;
}

const LATENCY_BUCKET_MS = 100;
/** Dead letters go out in requests of at most this much, so a batch of large rejects never exceeds the broker's limit. */
const DLQ_REQUEST_BYTES = 512 * 1024;

function isFenced(error: unknown): boolean {
  const text = `${(error as { type?: string }).type ?? ""} ${(error as Error).message ?? ""}`;
  return /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced/i.test(text);
}

/**
 * The login aggregator: counts `user-login` per input partition and tumbling window, and publishes each
 * count together with the consumed offsets in one Kafka transaction, so a crash or a rebalance at any
 * moment neither loses nor double-counts a record.
 *
 * kafkajs cannot fence a zombie after a rebalance (no KIP-447), so it uses the fencing Kafka Streams
 * used before 2.6: one transactional producer per input partition, with an id derived from group, topic
 * and partition. Before the first batch of a partition in a new generation, it initialises that
 * producer (which fences or waits out the previous owner) and re-reads the committed offset, skipping
 * whatever the previous owner committed after kafkajs had looked it up.
 */
export class Aggregator {
  private readonly options: Required<Omit<AggregatorOptions, "log" | "clock">> & {
    log: (line: string) => void;
    clock: { now(): number };
  };
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly kafka;
  private readonly producers = new Map<number, Producer>();
  private readonly states = new Map<number, PartitionState>();
  /** Partitions whose producer is initialised and committed offset re-read in this generation. */
  private readonly fenced = new Set<number>();
  /** Per partition, the committed offset read at the fence: records below it are already counted. */
  private readonly skipBelow = new Map<number, bigint>();
  private lock: Promise<unknown> = Promise.resolve();
  private rebalancing = false;
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
    this.kafka = createKafka(options.connection, `login-aggregator-${this.options.instanceId}`);
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      readUncommitted: false,
    });
    this.admin = this.kafka.admin();
  }

  /** Connects, joins the group and consumes until `stop()`. Resolves once consuming has begun. */
  async start(): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.REBALANCING, () => {
      this.rebalancing = true;
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.rebalancing = false;
      this.options.metrics.rebalances.inc();
      const assigned = new Set(event.payload.memberAssignment[options.inputTopic] ?? []);
      options.log(`joined group ${options.groupId}: partitions ${[...assigned].join(",") || "none"}`);
      void this.exclusive(() => this.onNewGeneration(assigned));
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
      if (this.rebalancing || this.stopping) return;
      this.exclusive(() => this.flushExpired()).catch((error: Error) => {
        options.log(`committing an idle window failed: ${error.message}`);
      });
    }, tick);
  }

  /** Resolves when the consumer has died for good (kafkajs gave up restarting it). */
  failed(): Promise<Error> {
    return new Promise((resolve) => {
      this.crashed = resolve;
    });
  }

  /** Stops reading, commits every open window, leaves the group cleanly and closes the producers. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.idleTimer);
    await this.consumer.stop();
    await this.exclusive(async () => {
      for (const partition of [...this.states.keys()]) await this.flush(partition);
    });
    await this.consumer.disconnect();
    await Promise.allSettled([...this.producers.values()].map((p) => p.disconnect()));
    await this.admin.disconnect();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => {});
    return run;
  }

  private async onNewGeneration(assigned: Set<number>): Promise<void> {
    // The group restarts every partition from its committed offset, so nothing uncommitted is kept.
    this.states.clear();
    this.fenced.clear();
    this.skipBelow.clear();
    for (const [partition, producer] of this.producers) {
      if (assigned.has(partition)) continue;
      this.producers.delete(partition);
      await producer.disconnect().catch(() => {});
    }
  }

  private async producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      const { groupId, inputTopic } = this.options;
      producer = this.kafka.producer({
        transactionalId: `${groupId}-${inputTopic}-${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
      });
      await producer.connect();
      this.producers.set(partition, producer);
    }
    return producer;
  }

  /**
   * Fences the partition's previous owner and returns the committed offset, read after the fence: an
   * offset the previous owner committed just before losing the partition is seen here.
   */
  private async fence(partition: number): Promise<bigint> {
    const producer = await this.producerFor(partition);
    // Beginning a transaction initialises the producer id, which bumps the epoch and fences the old owner.
    const txn = await producer.transaction();
    await txn.abort();
    const [offsets] = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [this.options.inputTopic],
    });
    const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
    this.fenced.add(partition);
    return BigInt(committed);
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const { metrics, inputTopic, clock } = this.options;
    if (batch.messages.length === 0) return;
    if (!this.fenced.has(partition)) {
      const committed = await this.fence(partition);
      const first = BigInt(batch.firstOffset() ?? "0");
      if (committed > first) {
        this.options.log(
          `partition ${partition}: skipping offsets ${first}–${committed - 1n}, committed by the previous owner`,
        );
      } else if (committed >= 0n && committed < first) {
        // Reading from past the committed offset would skip records: go back and read them.
        this.consumer.seek({ topic: inputTopic, partition, offset: committed.toString() });
        this.fenced.delete(partition);
        return;
      }
      this.skipBelow.set(partition, committed);
    }
    const skipBelow = this.skipBelow.get(partition) ?? -1n;
    await this.rollWindow(partition);
    metrics.recordsConsumed.inc({ topic: inputTopic }, batch.messages.length);
    let last: (typeof batch.messages)[number] | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      last = message;
      if (BigInt(message.offset) < skipBelow) {
        resolveOffset(message.offset);
        continue;
      }
      const state = this.stateFor(partition);
      const result = validateRecord(message.value);
      if (result.ok) {
        state.window.addValid(message.offset, result.event);
        const bucket = Math.floor(Number(message.timestamp) / LATENCY_BUCKET_MS);
        state.eventTimes.set(bucket, (state.eventTimes.get(bucket) ?? 0) + 1);
      } else {
        state.window.addInvalid(message.offset, result.reason);
        state.deadLetters.push(deadLetter(message, inputTopic, partition, result.reason));
      }
      resolveOffset(message.offset);
    }
    if (last) {
      const lag = Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n);
      const labels = { topic: inputTopic, partition: String(partition) };
      metrics.lagOffsets.set(labels, Math.max(0, lag));
      metrics.lagSeconds.set(
        labels,
        lag > 0 ? Math.max(0, (clock.now() - Number(last.timestamp)) / 1000) : 0,
      );
    }
    await heartbeat();
  }

  private stateFor(partition: number): PartitionState {
    let state = this.states.get(partition);
    if (!state) {
      const { inputTopic, windowMs, clock } = this.options;
      state = {
        window: new PartitionWindowAccumulator({
          topic: inputTopic,
          partition,
          windowStartMs: windowStart(clock.now(), windowMs),
          windowMs,
        }),
        deadLetters: [],
        eventTimes: new Map(),
      };
      this.states.set(partition, state);
    }
    return state;
  }

  /** Commits the partition's window if processing time has moved past its end. */
  private async rollWindow(partition: number): Promise<void> {
    const state = this.states.get(partition);
    if (!state) return;
    const { windowStartMs, windowMs } = state.window.scope;
    if (this.options.clock.now() >= windowStartMs + windowMs) await this.flush(partition);
  }

  private async flushExpired(): Promise<void> {
    for (const partition of [...this.states.keys()]) await this.rollWindow(partition);
  }

  /** Publishes the window's aggregate and dead letters and commits its offsets, in one transaction. */
  private async flush(partition: number): Promise<void> {
    const state = this.states.get(partition);
    this.states.delete(partition);
    if (!state || state.window.isEmpty()) return;
    const { metrics, inputTopic, outputTopic, dlqTopic, groupId, clock, instanceId } = this.options;
    const started = performance.now();
    const record = state.window.toRecord({ instanceId, emittedAtMs: clock.now() });
    const producer = await this.producerFor(partition);
    const txn = await producer.transaction();
    try {
      await txn.send({
        topic: outputTopic,
        acks: -1,
        messages: [{ key: analyticsKey(record.source), value: encodeAnalyticsRecord(record) }],
      });
      for (const chunk of byteChunks(state.deadLetters, DLQ_REQUEST_BYTES)) {
        await txn.send({ topic: dlqTopic, acks: -1, messages: chunk });
      }
      await txn.sendOffsets({
        consumerGroupId: groupId,
        topics: [
          { topic: inputTopic, partitions: [{ partition, offset: state.window.nextOffset() as string }] },
        ],
      });
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => {});
      if (isFenced(error)) {
        // Another instance owns the partition now and will count these records itself.
        this.options.log(`partition ${partition}: fenced by a newer owner; dropping its uncommitted window`);
        this.producers.delete(partition);
        await producer.disconnect().catch(() => {});
        return;
      }
      // The consumer has read past this window: rewind to its first offset so that nothing is skipped.
      this.fenced.delete(partition);
      this.consumer.seek({ topic: inputTopic, partition, offset: record.source.from_offset });
      throw error;
    }
    const committedAt = clock.now();
    metrics.windowFlushSeconds.observe((performance.now() - started) / 1000);
    metrics.aggregatesPublished.inc();
    metrics.totalCount.inc({ record_type: "valid", topic: inputTopic }, record.total);
    metrics.totalCount.inc({ record_type: "invalid", topic: inputTopic }, record.invalid);
    for (const [deviceType, n] of Object.entries(record.by_device_type)) {
      metrics.deviceTypeCount.inc({ device_type: deviceType, topic: inputTopic }, n);
    }
    for (const [locale, n] of Object.entries(record.by_locale))
      metrics.localeCount.inc({ locale, topic: inputTopic }, n);
    for (const [reason, n] of Object.entries(record.invalid_by_reason))
      metrics.invalidRecords.inc({ reason }, n ?? 0);
    for (const [bucket, n] of state.eventTimes) {
      const seconds = Math.max(0, (committedAt - bucket * LATENCY_BUCKET_MS) / 1000);
      for (let i = 0; i < n; i += 1) metrics.e2eLatencySeconds.observe(seconds);
    }
  }
}

export function* byteChunks(letters: DeadLetter[], maxBytes: number): Generator<DeadLetter[]> {
  let chunk: DeadLetter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const size = (letter.value?.length ?? 0) + (letter.key?.length ?? 0);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(letter);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function deadLetter(
  message: EachBatchPayload["batch"]["messages"][number],
  topic: string,
  partition: number,
  reason: InvalidReason,
): DeadLetter {
  return {
    key: message.key,
    value: message.value,
    headers: {
      "dlq.reason": reason,
      "dlq.source.topic": topic,
      "dlq.source.partition": String(partition),
      "dlq.source.offset": message.offset,
    },
  };
}
