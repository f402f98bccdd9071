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
  const clock = { ...defaultClock, ...options.clock };
  const { schedule, signal } = options;
  const scheduled = schedule !== "max";
  const { count = Number.POSITIVE_INFINITY, durationMs } = options.stopAfter;
  // Read anew at every tick: a schedule may grow while it runs (the lab's max-rate search adds steps).
  const limit = () =>
    Math.min(count, scheduled && durationMs !== undefined ? dueBefore(schedule, durationMs) : Infinity);

  const source =
    options.source ??
    inlineSource({
      seed: options.seed,
      ...(options.malformed === undefined ? {} : { malformed: options.malformed }),
      ...(options.malformedKinds === undefined ? {} : { malformedKinds: options.malformedKinds }),
      ...(options.mix === undefined ? {} : { mix: options.mix }),
    });
  const choosePartition = createPartitionChooser(sender.topic, sender.partitions);
  const inFlight = new Set<Promise<void>>();
  const totals = { sent: 0, acked: 0, failed: 0, maxSendDelayMs: 0 };
  let generated = 0;
  let requested = 0;
  let starved = false;
  let outstanding = 0;
  const full = () => inFlight.size >= settings.maxInFlight || outstanding >= settings.maxOutstanding;
  let carried: Pending | undefined;
  let callbackError: unknown;

  const startMs = clock.now();
  // Each wait gets its own abort listener, removed when the wait ends: racing one long-lived "stopped"
  // promise instead left a reaction on it per wait, about 45 bytes kept for every event of a run.
  const untilStopped = async (wait: Promise<unknown>): Promise<void> => {
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
  };

  const nextPending = (due: number, nowMs: number): Pending | undefined => {
    if (carried) return carried;
    if (generated >= due) return undefined;
    const dueTimeMs = scheduled ? startMs + schedule.dueTime(generated) : nowMs;
    const record = source.take(dueTimeMs);
    starved = record === undefined;
    if (!record) return undefined;
    return { record, index: generated++, dueTimeMs };
  };

  // Keeps a source that makes records ahead that far ahead, with the due times the schedule now predicts.
  const requestAhead = () => {
    if (!source.request) return;
    const until = Math.min(limit(), generated + LOOKAHEAD);
    while (requested < until) {
      const size = Math.min(REQUEST_CHUNK, until - requested);
      const now = clock.now();
      const from = requested;
      source.request(
        Array.from({ length: size }, (_, i) => (scheduled ? startMs + schedule.dueTime(from + i) : now)),
      );
      requested += size;
    }
  };

  const sendBatch = (due: number): boolean => {
    const sentAtMs = clock.now();
    const messages: OutgoingRecord[] = [];
    const byPartition = new Map<number, SentRecord[]>();
    let bytes = 0;
    let maxDelay = 0;
    while (messages.length < settings.maxBatch) {
      const pending = nextPending(due, sentAtMs);
      if (!pending) break;
      const { record } = pending;
      // Encoded once: the partition is hashed from these bytes and kafkajs sends them as they are.
      const key = record.key === null ? null : Buffer.from(record.key);
      const size = record.value.length + (key?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      if (messages.length > 0 && bytes + size > settings.maxBatchBytes) {
        carried = pending;
        break;
      }
      carried = undefined;
      bytes += size;
      const partition = choosePartition(key);
      messages.push({ key, value: record.value, partition, timestampMs: sentAtMs });
      const sent = {
        index: pending.index,
        kind: record.kind,
        expected: record.expected,
        dueTimeMs: pending.dueTimeMs,
        sentAtMs,
      };
      const onPartition = byPartition.get(partition);
      if (onPartition) onPartition.push(sent);
      else byPartition.set(partition, [sent]);
      maxDelay = Math.max(maxDelay, sentAtMs - pending.dueTimeMs);
    }
    if (messages.length === 0) return false;
    totals.sent += messages.length;
    totals.maxSendDelayMs = Math.max(totals.maxSendDelayMs, maxDelay);
    report(() => options.onSend?.({ records: messages.length, sentAtMs, maxSendDelayMs: maxDelay }));
    outstanding += messages.length;
    const settled = settle(sender.send(messages), byPartition, messages.length).finally(() => {
      inFlight.delete(settled);
      outstanding -= messages.length;
    });
    inFlight.add(settled);
    return true;
  };

  const settle = async (
    sending: Promise<PartitionDelivery[]>,
    byPartition: Map<number, SentRecord[]>,
    records: number,
  ): Promise<void> => {
    let deliveries: PartitionDelivery[];
    try {
      deliveries = await sending;
    } catch (error) {
      totals.failed += records;
      report(() => options.onSendError?.({ error: asError(error), records }));
      return;
    }
    const { acked, failed } = mapDeliveries(byPartition, deliveries, clock.now());
    for (const failure of failed) {
      totals.failed += failure.records.length;
      report(() => options.onSendError?.({ error: failure.error, records: failure.records.length }));
    }
    for (const ack of acked) {
      totals.acked += ack.records.length;
      report(() => options.onAck?.(ack));
    }
  };

  // A throwing listener must not pass for a failed send; it stops the run and is rethrown after the flush.
  const report = (call: () => void) => {
    try {
      call();
    } catch (error) {
      callbackError ??= error;
    }
  };

  for (;;) {
    if (signal?.aborted || callbackError !== undefined) break;
    requestAhead();
    const elapsed = clock.now() - startMs;
    const due = Math.min(limit(), scheduled ? schedule.dueCount(elapsed) : Infinity);
    while (!full() && sendBatch(due)) {}
    if (totals.sent >= limit()) break;
    if (durationMs !== undefined && elapsed >= durationMs) break;
    if (full()) {
      await untilStopped(Promise.race([...inFlight]));
    } else if (starved) {
      // The records due are not made yet: their send delay grows, as it would behind a slow broker.
      await untilStopped(source.ready());
    } else if (scheduled) {
      const wakeAt = Math.min(schedule.dueTime(generated), durationMs ?? Infinity);
      await untilStopped(clock.sleep(wakeAt - elapsed, signal));
    }
  }

  const stopElapsed = clock.now() - startMs;
  const dueAtStop = scheduled ? Math.min(limit(), schedule.dueCount(stopElapsed)) : totals.sent;
  while (inFlight.size > 0) await Promise.all(inFlight);
  if (callbackError !== undefined) throw callbackError;
  const elapsedMs = clock.now() - startMs;
  return {
    ...totals,
    unsent: Math.max(0, dueAtStop - totals.sent),
    elapsedMs,
    achievedPerSec: elapsedMs > 0 ? (totals.acked * 1000) / elapsedMs : 0,
  };
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
