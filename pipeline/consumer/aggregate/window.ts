import type { InvalidReason, NormalizedLogin } from "../../events/login-event.ts";
import type { AnalyticsRecord } from "./record.ts";

/** Start of the tumbling window holding `timestampMs`; windows are aligned to multiples of `windowMs`. */
export function windowStart(timestampMs: number, windowMs: number): number {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`windowMs must be a positive whole number of milliseconds, got ${windowMs}`);
  }
  return Math.floor(timestampMs / windowMs) * windowMs;
}

/**
 * An upper bound on an analytics record's encoded bytes apart from its labels: the fixed fields, a topic
 * name of Kafka's longest (249 characters), 20-digit offsets, every invalid reason and an instance id.
 */
export const RECORD_BASE_BYTES = 4096;

/** Bytes one label adds to an encoded record at most: its JSON string, a colon, a count, a comma. */
export function labelBytes(label: string): number {
  return Buffer.byteLength(JSON.stringify(label)) + 1 + 16 + 1;
}

export interface WindowScope {
  topic: string;
  partition: number;
  windowStartMs: number;
  windowMs: number;
}

/**
 * Counts for one input partition in one processing-time window. Offsets must arrive in increasing order,
 * as a consumer sees them; anything else means a re-read, which would count records twice.
 */
export class PartitionWindowAccumulator {
  private total = 0;
  private invalid = 0;
  private readonly byDeviceType = new Map<string, number>();
  private readonly byLocale = new Map<string, number>();
  private readonly byAppVersion = new Map<string, number>();
  private readonly invalidByReason = new Map<InvalidReason, number>();
  private first: bigint | undefined;
  private last: bigint | undefined;
  private minEventSec = Number.POSITIVE_INFINITY;
  private maxEventSec = Number.NEGATIVE_INFINITY;
  private labelBytesSum = 0;

  constructor(readonly scope: WindowScope) {}

  addValid(offset: string, event: NormalizedLogin): void {
    this.advanceTo(offset);
    this.labelBytesSum += this.growthIf(event);
    this.total += 1;
    increment(this.byDeviceType, event.deviceType);
    increment(this.byLocale, event.locale);
    increment(this.byAppVersion, event.appVersion);
    this.minEventSec = Math.min(this.minEventSec, event.timestampSec);
    this.maxEventSec = Math.max(this.maxEventSec, event.timestampSec);
  }

  addInvalid(offset: string, reason: InvalidReason): void {
    this.advanceTo(offset);
    this.invalid += 1;
    increment(this.invalidByReason, reason);
  }

  /** Bytes counting `event` would add to the encoded record at most: the labels it would be the first to use. */
  growthIf(event: NormalizedLogin): number {
    let bytes = 0;
    if (!this.byDeviceType.has(event.deviceType)) bytes += labelBytes(event.deviceType);
    if (!this.byLocale.has(event.locale)) bytes += labelBytes(event.locale);
    if (!this.byAppVersion.has(event.appVersion)) bytes += labelBytes(event.appVersion);
    return bytes;
  }

  /** An upper bound on the bytes of `encodeAnalyticsRecord(this.toRecord(…))`. */
  encodedBytesBound(): number {
    return RECORD_BASE_BYTES + this.labelBytesSum;
  }

  isEmpty(): boolean {
    return this.first === undefined;
  }

  /** The first offset of this window, where to read again if its commit fails. */
  firstOffset(): string | undefined {
    return this.first?.toString();
  }

  /** The next offset to read after this window: what to commit once its record is written. */
  nextOffset(): string | undefined {
    return this.last === undefined ? undefined : (this.last + 1n).toString();
  }

  toRecord(aggregator: { instanceId: string; emittedAtMs: number }): AnalyticsRecord {
    if (this.first === undefined || this.last === undefined) {
      throw new Error(
        `No records for ${this.scope.topic}/${this.scope.partition} in this window: nothing to emit`,
      );
    }
    const { topic, partition, windowStartMs, windowMs } = this.scope;
    return {
      schema_version: 1,
      window_start: new Date(windowStartMs).toISOString(),
      window_end: new Date(windowStartMs + windowMs).toISOString(),
      total: this.total,
      by_device_type: Object.fromEntries(this.byDeviceType),
      by_locale: Object.fromEntries(this.byLocale),
      by_app_version: Object.fromEntries(this.byAppVersion),
      invalid: this.invalid,
      invalid_by_reason: Object.fromEntries(this.invalidByReason),
      event_time: this.total === 0 ? null : { min_sec: this.minEventSec, max_sec: this.maxEventSec },
      source: {
        topic,
        partition,
        from_offset: this.first.toString(),
        to_offset: this.last.toString(),
      },
      aggregator: {
        instance_id: aggregator.instanceId,
        emitted_at: new Date(aggregator.emittedAtMs).toISOString(),
      },
    };
  }

  private advanceTo(offset: string): void {
    const next = BigInt(offset);
    if (this.last !== undefined && next <= this.last) {
      throw new RangeError(
        `Offset ${offset} of ${this.scope.topic}/${this.scope.partition} is not after ${this.last}: ` +
          "a re-read would count records twice; start a new accumulator after a seek or rebalance",
      );
    }
    this.first ??= next;
    this.last = next;
  }
}

// Maps, not plain objects: labels are untrusted and a key such as "__proto__" must count like any other.
function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
