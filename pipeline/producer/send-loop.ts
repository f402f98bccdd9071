import { setTimeout as sleepTimer } from "node:timers/promises";
import type { GeneratedRecord, LoginGeneratorOptions } from "../events/generator.ts";
import type { OutgoingRecord, PartitionDelivery, PartitionLeader } from "../kafka/record-producer.ts";
import { type AckedBatch, mapDeliveries, type SentRecord } from "./acks.ts";
import { createPartitionChooser } from "./partitions.ts";
import { inlineSource, type RecordSource } from "./record-source.ts";
import { dueBefore, type SendSchedule } from "./schedule.ts";

/** Where the loop's records go: the Kafka producer in a run, a stand-in in tests. */
export interface RecordSender {
  topic: string;
  partitions: readonly PartitionLeader[];
  /** Every record carries its partition; resolves with each record's outcome (see RecordProducer). */
  send(records: OutgoingRecord[]): Promise<PartitionDelivery[]>;
}

export interface ProducerClock {
  /** Epoch milliseconds. */
  now(): number;
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface SendLoopOptions {
  /** "max": no schedule, as fast as acks allow with at most `maxInFlight` sends outstanding. */
  schedule: SendSchedule | "max";
  /** At least one of these, or a signal: otherwise the run would not end. */
  stopAfter: { count?: number; durationMs?: number };
  seed: number;
  malformed?: number;
  malformedKinds?: LoginGeneratorOptions["malformedKinds"];
  mix?: LoginGeneratorOptions["mix"];
  clock?: ProducerClock;
  signal?: AbortSignal;
  /** Where records come from; default made on this thread as they fall due (`inlineSource`). */
  source?: RecordSource;
  /** Records per send() call; default 2000. */
  maxBatch?: number;
  /** send() calls outstanding at once; default 5. */
  maxInFlight?: number;
  /** Records sent and not yet settled, at most (bounds memory where calls are cheap); default no bound. */
  maxOutstanding?: number;
  /**
   * Bytes of keys and values per send() call; default 1,000,000. The broker refuses a partition's batch
   * above `message.max.bytes` (about 1 MB by default), and one near-limit record must go out on its own.
   */
  maxBatchBytes?: number;
  onSend?: (batch: SentBatch) => void;
  onAck?: (ack: AckedBatch) => void;
  /** Records whose send failed after the client's own retries. Not resent: they may or may not have landed. */
  onSendError?: (failure: { error: Error; records: number }) => void;
}

export interface SentBatch {
  records: number;
  sentAtMs: number;
  /** The largest `sentAtMs - dueTimeMs` among its records. */
  maxSendDelayMs: number;
}

export interface ProducerSummary {
  sent: number;
  acked: number;
  /** Sends that failed: their records may or may not be in the topic. */
  failed: number;
  /** Records that fell due but were still waiting for a free send slot when the run stopped. */
  unsent: number;
  /** From the start until the last send settled. */
  elapsedMs: number;
  /** Acked records per second over `elapsedMs`. */
  achievedPerSec: number;
  maxSendDelayMs: number;
}

/**
 * kafkajs's idempotent producer holds a lock per broker, so one send goes out at a time and each costs a
 * fixed toll; at full speed 2000 records a send ran 10–40% faster than 1000, while 4000 gained nothing more
 * (kafkajs groups a send's records per partition in time that grows faster than their number).
 */
/** Records a source that makes them ahead keeps ready, asked for in chunks of this many. */
const LOOKAHEAD = 20_000;
export const REQUEST_CHUNK = 2_000;

const DEFAULTS = {
  maxBatch: 2000,
  maxInFlight: 5,
  maxBatchBytes: 1_000_000,
  maxOutstanding: Number.POSITIVE_INFINITY,
};
/** Room for a record's framing beside its key and value, so the byte budget is not overrun by many small ones. */
const RECORD_OVERHEAD_BYTES = 32;

const defaultClock: Required<ProducerClock> = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    sleepTimer(Math.max(0, ms), undefined, signal ? { signal } : undefined).catch(() => undefined),
};

interface Pending {
  record: GeneratedRecord;
  index: number;
  dueTimeMs: number;
}

/**
 * The open-model loop: at each tick it sends every event that has fallen due, each stamped with its due
 * time, and never slows the schedule to match a slow broker. When `maxInFlight` sends are outstanding,
 * due events wait (their send delay grows); they are neither dropped nor re-timed.
 */
export async function runSendLoop(options: SendLoopOptions, sender: RecordSender): Promise<ProducerSummary> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  checkOptions(options, settings);
  return new SendLoop(options, settings, sender).run();
}

/** The records one send() call carries, and what the acks are matched against. */
interface Batch {
  messages: OutgoingRecord[];
  byPartition: Map<number, SentRecord[]>;
  sentAtMs: number;
  maxDelay: number;
}

/** One run's state: how many records were made, asked for ahead, sent and settled. */
class SendLoop {
  private readonly clock: Required<ProducerClock>;
  /** Undefined for "max": every record is due at once. */
  private readonly schedule: SendSchedule | undefined;
  private readonly count: number;
  private readonly durationMs: number | undefined;
  private readonly source: RecordSource;
  private readonly choosePartition: ReturnType<typeof createPartitionChooser>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly totals = { sent: 0, acked: 0, failed: 0, maxSendDelayMs: 0 };
  private generated = 0;
  private requested = 0;
  private starved = false;
  private outstanding = 0;
  /** A record taken for a batch that had no room left in bytes: the next batch starts with it. */
  private carried: Pending | undefined;
  private callbackError: unknown;
  private startMs = 0;

  constructor(
    private readonly options: SendLoopOptions,
    private readonly settings: typeof DEFAULTS,
    private readonly sender: RecordSender,
  ) {
    this.clock = { ...defaultClock, ...options.clock };
    this.schedule = options.schedule === "max" ? undefined : options.schedule;
    this.count = options.stopAfter.count ?? Number.POSITIVE_INFINITY;
    this.durationMs = options.stopAfter.durationMs;
    this.source = options.source ?? defaultSource(options);
    this.choosePartition = createPartitionChooser(sender.topic, sender.partitions);
  }

  async run(): Promise<ProducerSummary> {
    const { signal } = this.options;
    this.startMs = this.clock.now();
    for (;;) {
      if (signal?.aborted || this.callbackError !== undefined) break;
      this.requestAhead();
      const elapsed = this.clock.now() - this.startMs;
      const due = Math.min(this.limit(), this.schedule ? this.schedule.dueCount(elapsed) : Infinity);
      while (!this.full() && this.sendBatch(due)) {}
      if (this.totals.sent >= this.limit()) break;
      if (this.durationMs !== undefined && elapsed >= this.durationMs) break;
      await this.waitForRoom(elapsed);
    }
    return this.finish();
  }

  /** Until a send settles, the records due are made, or the next one falls due. */
  private async waitForRoom(elapsed: number): Promise<void> {
    const { signal } = this.options;
    if (this.full()) {
      await untilStopped(Promise.race([...this.inFlight]), signal);
    } else if (this.starved) {
      // The records due are not made yet: their send delay grows, as it would behind a slow broker.
      await untilStopped(this.source.ready(), signal);
    } else if (this.schedule) {
      const wakeAt = Math.min(this.schedule.dueTime(this.generated), this.durationMs ?? Infinity);
      await untilStopped(this.clock.sleep(wakeAt - elapsed, signal), signal);
    }
  }

  /** Waits for every send to settle and sums the run up; rethrows a listener's error. */
  private async finish(): Promise<ProducerSummary> {
    const stopElapsed = this.clock.now() - this.startMs;
    const dueAtStop = this.schedule
      ? Math.min(this.limit(), this.schedule.dueCount(stopElapsed))
      : this.totals.sent;
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.callbackError !== undefined) throw this.callbackError;
    const elapsedMs = this.clock.now() - this.startMs;
    return {
      ...this.totals,
      unsent: Math.max(0, dueAtStop - this.totals.sent),
      elapsedMs,
      achievedPerSec: elapsedMs > 0 ? (this.totals.acked * 1000) / elapsedMs : 0,
    };
  }

  // Read anew at every tick: a schedule may grow while it runs (the lab's max-rate search adds steps).
  private limit(): number {
    const { schedule, durationMs } = this;
    return Math.min(
      this.count,
      schedule && durationMs !== undefined ? dueBefore(schedule, durationMs) : Infinity,
    );
  }

  private full(): boolean {
    return (
      this.inFlight.size >= this.settings.maxInFlight || this.outstanding >= this.settings.maxOutstanding
    );
  }

  private dueTime(index: number, nowMs: number): number {
    return this.schedule ? this.startMs + this.schedule.dueTime(index) : nowMs;
  }

  private nextPending(due: number, nowMs: number): Pending | undefined {
    if (this.carried) return this.carried;
    if (this.generated >= due) return undefined;
    const dueTimeMs = this.dueTime(this.generated, nowMs);
    const record = this.source.take(dueTimeMs);
    this.starved = record === undefined;
    if (!record) return undefined;
    return { record, index: this.generated++, dueTimeMs };
  }

  // Keeps a source that makes records ahead that far ahead, with the due times the schedule now predicts.
  private requestAhead(): void {
    if (!this.source.request) return;
    const until = Math.min(this.limit(), this.generated + LOOKAHEAD);
    while (this.requested < until) {
      const size = Math.min(REQUEST_CHUNK, until - this.requested);
      const now = this.clock.now();
      const from = this.requested;
      this.source.request(Array.from({ length: size }, (_, i) => this.dueTime(from + i, now)));
      this.requested += size;
    }
  }

  /** Sends one batch of the records due, if there is one and room for it. */
  private sendBatch(due: number): boolean {
    const batch = this.takeBatch(due);
    const { messages, byPartition, sentAtMs, maxDelay } = batch;
    if (messages.length === 0) return false;
    this.totals.sent += messages.length;
    this.totals.maxSendDelayMs = Math.max(this.totals.maxSendDelayMs, maxDelay);
    this.report(() =>
      this.options.onSend?.({ records: messages.length, sentAtMs, maxSendDelayMs: maxDelay }),
    );
    this.outstanding += messages.length;
    const settled = this.settle(this.sender.send(messages), byPartition, messages.length).finally(() => {
      this.inFlight.delete(settled);
      this.outstanding -= messages.length;
    });
    this.inFlight.add(settled);
    return true;
  }

  /** Records due, up to `maxBatch` of them and `maxBatchBytes` of keys and values. */
  private takeBatch(due: number): Batch {
    const sentAtMs = this.clock.now();
    const batch: Batch = { messages: [], byPartition: new Map(), sentAtMs, maxDelay: 0 };
    let bytes = 0;
    while (batch.messages.length < this.settings.maxBatch) {
      const pending = this.nextPending(due, sentAtMs);
      if (!pending) break;
      const { record } = pending;
      // Encoded once: the partition is hashed from these bytes and kafkajs sends them as they are.
      const key = record.key === null ? null : Buffer.from(record.key);
      const size = record.value.length + (key?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      if (batch.messages.length > 0 && bytes + size > this.settings.maxBatchBytes) {
        this.carried = pending;
        break;
      }
      this.carried = undefined;
      bytes += size;
      const partition = this.choosePartition(key);
      batch.messages.push({ key, value: record.value, partition, timestampMs: sentAtMs });
      const sent = {
        index: pending.index,
        kind: record.kind,
        expected: record.expected,
        dueTimeMs: pending.dueTimeMs,
        sentAtMs,
      };
      const onPartition = batch.byPartition.get(partition);
      if (onPartition) onPartition.push(sent);
      else batch.byPartition.set(partition, [sent]);
      batch.maxDelay = Math.max(batch.maxDelay, sentAtMs - pending.dueTimeMs);
    }
    return batch;
  }

  private async settle(
    sending: Promise<PartitionDelivery[]>,
    byPartition: Map<number, SentRecord[]>,
    records: number,
  ): Promise<void> {
    const { options, totals } = this;
    let deliveries: PartitionDelivery[];
    try {
      deliveries = await sending;
    } catch (error) {
      totals.failed += records;
      this.report(() => options.onSendError?.({ error: asError(error), records }));
      return;
    }
    const { acked, failed } = mapDeliveries(byPartition, deliveries, this.clock.now());
    for (const failure of failed) {
      totals.failed += failure.records.length;
      this.report(() => options.onSendError?.({ error: failure.error, records: failure.records.length }));
    }
    for (const ack of acked) {
      totals.acked += ack.records.length;
      this.report(() => options.onAck?.(ack));
    }
  }

  // A throwing listener must not pass for a failed send; it stops the run and is rethrown after the flush.
  private report(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.callbackError ??= error;
    }
  }
}

function defaultSource(options: SendLoopOptions): RecordSource {
  return inlineSource({
    seed: options.seed,
    ...(options.malformed === undefined ? {} : { malformed: options.malformed }),
    ...(options.malformedKinds === undefined ? {} : { malformedKinds: options.malformedKinds }),
    ...(options.mix === undefined ? {} : { mix: options.mix }),
  });
}

/**
 * Waits for `wait`, or until the run is stopped. Each wait gets its own abort listener, removed when the wait
 * ends: racing one long-lived "stopped" promise instead left a reaction on it per wait, about 45 bytes kept
 * for every event of a run.
 */
async function untilStopped(wait: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) {
    await wait;
    return;
  }
  if (signal.aborted) return;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([
      wait.catch((error: unknown) => (signal.aborted ? undefined : Promise.reject(error))),
      aborted,
    ]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function checkOptions(options: SendLoopOptions, settings: typeof DEFAULTS): void {
  const problems: string[] = [];
  const positiveInt = (name: string, value: number) => {
    if (!(Number.isInteger(value) && value >= 1))
      problems.push(`${name} must be a whole number of at least 1, got ${value}`);
  };
  positiveInt("maxBatch", settings.maxBatch);
  positiveInt("maxInFlight", settings.maxInFlight);
  if (!(settings.maxOutstanding >= 1))
    problems.push(`maxOutstanding must be at least 1, got ${settings.maxOutstanding}`);
  positiveInt("maxBatchBytes", settings.maxBatchBytes);
  const { count, durationMs } = options.stopAfter;
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    problems.push(`stopAfter.count must be a whole number, got ${count}`);
  }
  if (durationMs !== undefined && !(Number.isFinite(durationMs) && durationMs >= 0)) {
    problems.push(`stopAfter.durationMs must be a finite number of ms, got ${durationMs}`);
  }
  if (count === undefined && durationMs === undefined && !options.signal) {
    problems.push("the run would never end: give stopAfter.count, stopAfter.durationMs or a signal");
  }
  if (problems.length > 0) throw new RangeError(`Invalid producer options: ${problems.join("; ")}`);
}

function definedOnly(options: SendLoopOptions): Partial<typeof DEFAULTS> {
  const { maxBatch, maxInFlight, maxBatchBytes, maxOutstanding } = options;
  return Object.fromEntries(
    Object.entries({ maxBatch, maxInFlight, maxBatchBytes, maxOutstanding }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as Partial<typeof DEFAULTS>;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
