import { type InvalidReason, type NormalizedLogin, validateRecord } from "../events/login-event.ts";
import type { AnalyticsRecord } from "./aggregate/record.ts";
import { PartitionWindowAccumulator, type WindowScope, windowStart } from "./aggregate/window.ts";
import { type DeadLetter, deadLetter } from "./dead-letters.ts";

/**
 * The most an analytics record may take, encoded. Kafka's default message limit is 1 MB; half of it leaves
 * room for the batch's own overhead, and one valid input record (at most 64 KiB, or six times that once
 * JSON escapes its labels) always fits in a record of its own.
 */
export const MAX_ANALYTICS_RECORD_BYTES = 512 * 1024;

const LATENCY_BUCKET_MS = 100;

/**
 * What one input partition has read but not committed in the current processing-time window: its counts,
 * its dead letters and when its records were written. Counts go into consecutive parts, each kept under
 * `maxRecordBytes` once encoded, so that no label, however long or however many, makes the window's
 * output larger than the broker accepts; the parts' offset ranges tile the window's range.
 */
export class PartitionWindow {
  private readonly sealed: PartitionWindowAccumulator[] = [];
  private current: PartitionWindowAccumulator;
  readonly deadLetters: DeadLetter[] = [];
  /** Kafka timestamps of the valid records, counted per 100 ms, for the end-to-end latency histogram. */
  readonly eventTimes = new Map<number, number>();

  constructor(
    readonly scope: WindowScope,
    private readonly maxRecordBytes = MAX_ANALYTICS_RECORD_BYTES,
  ) {
    this.current = new PartitionWindowAccumulator(scope);
  }

  addValid(offset: string, event: NormalizedLogin, kafkaTimestampMs: number): void {
    const current = this.current;
    if (!current.isEmpty() && current.encodedBytesBound() + current.growthIf(event) > this.maxRecordBytes) {
      this.sealed.push(current);
      this.current = new PartitionWindowAccumulator(this.scope);
    }
    this.current.addValid(offset, event);
    const bucket = Math.floor(kafkaTimestampMs / LATENCY_BUCKET_MS);
    this.eventTimes.set(bucket, (this.eventTimes.get(bucket) ?? 0) + 1);
  }

  addInvalid(offset: string, reason: InvalidReason, letter: DeadLetter): void {
    this.current.addInvalid(offset, reason);
    this.deadLetters.push(letter);
  }

  isEmpty(): boolean {
    return this.sealed.length === 0 && this.current.isEmpty();
  }

  /** Processing time has reached the window's end. */
  isDue(nowMs: number): boolean {
    return nowMs >= this.scope.windowStartMs + this.scope.windowMs;
  }

  /** Where to read again when the window's commit fails. */
  firstOffset(): string | undefined {
    return (this.sealed[0] ?? this.current).firstOffset();
  }

  /** The offset to commit with the window: the one after its last record. */
  nextOffset(): string | undefined {
    return this.current.nextOffset();
  }

  /** One record per part, in offset order. */
  toRecords(aggregator: { instanceId: string; emittedAtMs: number }): AnalyticsRecord[] {
    const parts = this.current.isEmpty() ? this.sealed : [...this.sealed, this.current];
    return parts.map((part) => part.toRecord(aggregator));
  }

  /** The seconds from each counted record's Kafka timestamp to `committedAtMs`, with how many records had it. */
  latencies(committedAtMs: number): { seconds: number; count: number }[] {
    return [...this.eventTimes].map(([bucket, count]) => ({
      seconds: Math.max(0, (committedAtMs - bucket * LATENCY_BUCKET_MS) / 1000),
      count,
    }));
  }
}

/** One input record, as either Kafka client hands it over. */
export interface InputRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Its Kafka timestamp, epoch ms. */
  timestampMs: number;
}

/** Where and when a record is counted: its topic and partition, the window length and the processing time. */
export interface CountAt {
  topic: string;
  partition: number;
  windowMs: number;
  nowMs: number;
}

export type CountRecord = (windows: Map<number, PartitionWindow>, at: CountAt, record: InputRecord) => void;

/**
 * Validates one input record and counts it into its partition's open window (a valid one by its labels, an
 * invalid one as a dead letter), opening the window in the current processing-time window when there is none.
 */
export const countRecord: CountRecord = (windows, at, record) => {
  const { topic, partition, windowMs } = at;
  let window = windows.get(partition);
  if (!window) {
    window = new PartitionWindow({
      topic,
      partition,
      windowStartMs: windowStart(at.nowMs, windowMs),
      windowMs,
    });
    windows.set(partition, window);
  }
  const result = validateRecord(record.value);
  if (result.ok) window.addValid(record.offset, result.event, record.timestampMs);
  else window.addInvalid(record.offset, result.reason, deadLetter(record, topic, partition, result.reason));
};
