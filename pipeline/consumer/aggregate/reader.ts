import type { InvalidReason } from "../../events/login-event.ts";
import { type AnalyticsRecord, analyticsKey, type Counts } from "./record.ts";

export interface OffsetRange {
  from: string;
  to: string;
}

/** Offsets strictly between `after` and `before` that no record covers: lost, or only transaction markers. */
export interface OffsetGap {
  topic: string;
  partition: number;
  after: string;
  before: string;
}

/** Two different ranges sharing offsets: those records were counted twice. */
export interface OffsetOverlap {
  topic: string;
  partition: number;
  first: OffsetRange;
  second: OffsetRange;
}

/** Part of the expected range with no record at all: `from`..`to` inclusive. */
export interface MissingCoverage {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

/** The same range sent again with different counts: the input was not read the same way twice. */
export interface ConflictingDuplicate {
  topic: string;
  partition: number;
  range: OffsetRange;
}

export interface CoverageExpectation {
  topic: string;
  /** Per partition, the first and last offset (inclusive) the analytics should cover. */
  partitions: Record<number, readonly [from: string, to: string]>;
}

export interface AnalyticsSummary {
  total: number;
  byDeviceType: Counts;
  byLocale: Counts;
  byAppVersion: Counts;
  invalid: number;
  invalidByReason: Partial<Record<InvalidReason, number>>;
  /** Records summed, after dropping duplicates. */
  records: number;
  duplicateRangesDropped: number;
  conflictingDuplicates: ConflictingDuplicate[];
  /** Judged by the caller: a gap is fine only if every offset in it is a transaction marker. */
  gaps: OffsetGap[];
  overlaps: OffsetOverlap[];
  missingCoverage: MissingCoverage[];
}

/**
 * Adds up analytics records as a reader must: a range sent twice (a retried or zombie write) counts once,
 * and the ranges of each partition are checked to tile the input.
 */
export function summariseAnalytics(
  records: Iterable<AnalyticsRecord>,
  options: { expectedCoverage?: CoverageExpectation } = {},
): AnalyticsSummary {
  const kept = new Map<string, AnalyticsRecord>();
  let duplicateRangesDropped = 0;
  const conflictingDuplicates: ConflictingDuplicate[] = [];
  for (const record of records) {
    const key = analyticsKey(record.source);
    const earlier = kept.get(key);
    if (earlier === undefined) {
      kept.set(key, record);
      continue;
    }
    duplicateRangesDropped += 1;
    if (countsDiffer(earlier, record)) {
      const { topic, partition, from_offset, to_offset } = record.source;
      conflictingDuplicates.push({ topic, partition, range: { from: from_offset, to: to_offset } });
    }
  }

  const totals = addUp(kept.values());
  const partitions = groupByPartition(kept.values());
  const gaps: OffsetGap[] = [];
  const overlaps: OffsetOverlap[] = [];
  for (const ranges of partitions.values()) tile(ranges, gaps, overlaps);
  const missingCoverage = options.expectedCoverage ? findMissing(options.expectedCoverage, partitions) : [];

  return {
    ...totals,
    records: kept.size,
    duplicateRangesDropped,
    conflictingDuplicates,
    gaps,
    overlaps,
    missingCoverage,
  };
}

interface PartitionRanges {
  topic: string;
  partition: number;
  /** Sorted by start, then end. */
  ranges: { from: bigint; to: bigint }[];
}

function groupByPartition(records: Iterable<AnalyticsRecord>): Map<string, PartitionRanges> {
  const partitions = new Map<string, PartitionRanges>();
  for (const { source } of records) {
    const id = `${source.topic}:${source.partition}`;
    let entry = partitions.get(id);
    if (entry === undefined) {
      entry = { topic: source.topic, partition: source.partition, ranges: [] };
      partitions.set(id, entry);
    }
    entry.ranges.push({ from: BigInt(source.from_offset), to: BigInt(source.to_offset) });
  }
  for (const entry of partitions.values()) {
    entry.ranges.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  }
  return partitions;
}

function tile(
  { topic, partition, ranges }: PartitionRanges,
  gaps: OffsetGap[],
  overlaps: OffsetOverlap[],
): void {
  let reach: { from: bigint; to: bigint } | undefined;
  for (const range of ranges) {
    if (reach !== undefined) {
      if (range.from <= reach.to) {
        overlaps.push({ topic, partition, first: asStrings(reach), second: asStrings(range) });
      } else if (range.from > reach.to + 1n) {
        gaps.push({ topic, partition, after: reach.to.toString(), before: range.from.toString() });
      }
    }
    if (reach === undefined || range.to > reach.to) reach = range;
  }
}

function findMissing(
  expected: CoverageExpectation,
  partitions: Map<string, PartitionRanges>,
): MissingCoverage[] {
  const missing: MissingCoverage[] = [];
  const { topic } = expected;
  for (const [key, [fromText, toText]] of Object.entries(expected.partitions)) {
    const partition = Number(key);
    const from = BigInt(fromText);
    const to = BigInt(toText);
    if (to < from) continue;
    const ranges = partitions.get(`${topic}:${partition}`)?.ranges ?? [];
    const first = ranges[0]?.from;
    const last = ranges.reduce<bigint | undefined>(
      (max, r) => (max === undefined || r.to > max ? r.to : max),
      undefined,
    );
    if (first === undefined || last === undefined || first > to || last < from) {
      missing.push({ topic, partition, from: fromText, to: toText });
      continue;
    }
    if (first > from) missing.push({ topic, partition, from: fromText, to: (first - 1n).toString() });
    if (last < to) missing.push({ topic, partition, from: (last + 1n).toString(), to: toText });
  }
  return missing;
}

function addUp(records: Iterable<AnalyticsRecord>) {
  let total = 0;
  let invalid = 0;
  const byDeviceType = new Map<string, number>();
  const byLocale = new Map<string, number>();
  const byAppVersion = new Map<string, number>();
  const invalidByReason = new Map<string, number>();
  for (const r of records) {
    total += r.total;
    invalid += r.invalid;
    addInto(byDeviceType, r.by_device_type);
    addInto(byLocale, r.by_locale);
    addInto(byAppVersion, r.by_app_version);
    addInto(invalidByReason, r.invalid_by_reason);
  }
  return {
    total,
    invalid,
    byDeviceType: Object.fromEntries(byDeviceType),
    byLocale: Object.fromEntries(byLocale),
    byAppVersion: Object.fromEntries(byAppVersion),
    invalidByReason: Object.fromEntries(invalidByReason) as Partial<Record<InvalidReason, number>>,
  };
}

// Maps, not plain objects: labels are untrusted and a key such as "__proto__" must add up like any other.
function addInto(into: Map<string, number>, counts: Partial<Record<string, number>>): void {
  for (const [label, n] of Object.entries(counts)) into.set(label, (into.get(label) ?? 0) + (n ?? 0));
}

function countsDiffer(a: AnalyticsRecord, b: AnalyticsRecord): boolean {
  const fields = [
    "total",
    "invalid",
    "by_device_type",
    "by_locale",
    "by_app_version",
    "invalid_by_reason",
  ] as const;
  return fields.some((f) => canonical(a[f]) !== canonical(b[f]));
}

function canonical(value: number | Partial<Record<string, number>>): string {
  return typeof value === "number" ? String(value) : JSON.stringify(Object.entries(value).sort(byKey));
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function asStrings(range: { from: bigint; to: bigint }): OffsetRange {
  return { from: range.from.toString(), to: range.to.toString() };
}
