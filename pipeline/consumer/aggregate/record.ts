import { z } from "zod";
import { INVALID_REASONS, type InvalidReason } from "../../events/login-event.ts";

/** Counts keyed by a label taken from the input (device type, locale…); labels are untrusted text. */
export type Counts = Record<string, number>;

/** The input range a record covers: offsets are Kafka's int64 as decimal strings, both ends inclusive. */
export interface AnalyticsSource {
  topic: string;
  partition: number;
  from_offset: string;
  to_offset: string;
}

/** One message on the analytics topic: the counts of one input partition's offset range in one window. */
export interface AnalyticsRecord {
  schema_version: 1;
  /** The processing-time window the consumer read the range in (ISO 8601). */
  window_start: string;
  window_end: string;
  /** Valid logins; each is counted once in every `by_*` map, under `unknown` if the label was missing. */
  total: number;
  by_device_type: Counts;
  by_locale: Counts;
  by_app_version: Counts;
  invalid: number;
  invalid_by_reason: Partial<Record<InvalidReason, number>>;
  /** Earliest and latest `timestamp` among the valid logins (epoch seconds); null if there were none. */
  event_time: { min_sec: number; max_sec: number } | null;
  source: AnalyticsSource;
  aggregator: { instance_id: string; emitted_at: string };
}

export class AnalyticsRecordError extends Error {
  override readonly name = "AnalyticsRecordError";
}

export function encodeAnalyticsRecord(record: AnalyticsRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** The Kafka message key: a re-sent range has the same key, so readers (or compaction) can drop it. */
export function analyticsKey(source: AnalyticsSource): string {
  return `${source.topic}:${source.partition}:${source.from_offset}-${source.to_offset}`;
}

const count = z.number().int().nonnegative();
const offset = z.string().regex(/^[0-9]+$/, "an offset is a string of digits");
const isoTime = z.iso.datetime();
// A hand check rather than z.record: zod drops a "__proto__" key, and a locale may well be spelt that way.
const counts = z.custom<Counts>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((n) => Number.isSafeInteger(n) && n >= 0),
  "expected an object of non-negative whole counts",
);

const schema = z.strictObject({
  schema_version: z.literal(1),
  window_start: isoTime,
  window_end: isoTime,
  total: count,
  by_device_type: counts,
  by_locale: counts,
  by_app_version: counts,
  invalid: count,
  invalid_by_reason: z.partialRecord(z.enum(INVALID_REASONS), count),
  event_time: z.strictObject({ min_sec: count, max_sec: count }).nullable(),
  source: z.strictObject({
    topic: z.string().min(1),
    partition: count,
    from_offset: offset,
    to_offset: offset,
  }),
  aggregator: z.strictObject({ instance_id: z.string().min(1), emitted_at: isoTime }),
});

/** Reads one analytics message, checking its shape and that its figures agree with one another. */
export function parseAnalyticsRecord(value: Buffer | null): AnalyticsRecord {
  if (value === null || value.length === 0) throw new AnalyticsRecordError("Analytics record is empty");
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (cause) {
    throw new AnalyticsRecordError(`Analytics record is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AnalyticsRecordError(
      `Analytics record does not match schema 1:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const record = parsed.data as AnalyticsRecord;
  const problems = inconsistencies(record);
  if (problems.length > 0) {
    throw new AnalyticsRecordError(
      `Analytics record ${analyticsKey(record.source)} contradicts itself: ${problems.join("; ")}`,
    );
  }
  return record;
}

function inconsistencies(r: AnalyticsRecord): string[] {
  const problems: string[] = [];
  for (const field of ["by_device_type", "by_locale", "by_app_version"] as const) {
    const sum = sumOf(r[field]);
    if (sum !== r.total) problems.push(`${field} sums to ${sum}, total is ${r.total}`);
  }
  const invalidSum = sumOf(r.invalid_by_reason);
  if (invalidSum !== r.invalid)
    problems.push(`invalid_by_reason sums to ${invalidSum}, invalid is ${r.invalid}`);
  const from = BigInt(r.source.from_offset);
  const to = BigInt(r.source.to_offset);
  if (to < from) problems.push(`to_offset ${to} is before from_offset ${from}`);
  // A range can hold transaction markers the consumer never sees, so it may be longer than the count, never shorter.
  else if (BigInt(r.total + r.invalid) > to - from + 1n) {
    problems.push(`${r.total + r.invalid} records counted in a range of ${to - from + 1n} offsets`);
  }
  if (Date.parse(r.window_end) <= Date.parse(r.window_start))
    problems.push("window_end is not after window_start");
  if ((r.event_time === null) !== (r.total === 0))
    problems.push("event_time must be null exactly when total is 0");
  else if (r.event_time && r.event_time.min_sec > r.event_time.max_sec)
    problems.push("event_time min is after max");
  return problems;
}

function sumOf(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}
