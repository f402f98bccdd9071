import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { analyticsKey } from "../../pipeline/consumer/aggregate/record.ts";
import type { LabelCounts } from "../core/assertion.ts";
import { sortedByLabel } from "../core/assertion.ts";
import type { AggregateCounts } from "./types.ts";

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

/**
 * One source range published more than once. A reader that sums the topic (the Fetch pipeline's way, and
 * Grafana's) counts every copy, so each copy after the first is a double count, whatever its counts say.
 */
export interface DuplicateRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
  copies: number;
  /** False when the copies disagree: the input was not even read the same way twice. */
  sameCounts: boolean;
}

/** Per input partition, the first and last offset (inclusive) the analytics should cover. */
export interface CoverageExpectation {
  topic: string;
  partitions: ReadonlyMap<number, readonly [from: bigint, to: bigint]>;
}

/** The aggregate counts, summed over every record read, copies included, as a downstream reader would. */
export interface AnalyticsSummary extends Omit<AggregateCounts, "dlqRecords"> {
  duplicates: DuplicateRange[];
  /** Judged by the caller: a gap is fine only if every offset in it is a transaction marker. */
  gaps: OffsetGap[];
  overlaps: OffsetOverlap[];
  missingCoverage: MissingCoverage[];
}

/**
 * Adds up analytics records the way a downstream reader does, summing every one, and checks their source
 * ranges: each range published once, and the ranges of each partition tiling the input.
 */
export function summariseAnalytics(
  records: Iterable<AnalyticsRecord>,
  options: { expectedCoverage?: CoverageExpectation } = {},
): AnalyticsSummary {
  const all = [...records];
  const byRange = new Map<string, AnalyticsRecord[]>();
  for (const record of all) {
    const key = analyticsKey(record.source);
    const copies = byRange.get(key);
    if (copies === undefined) byRange.set(key, [record]);
    else copies.push(record);
  }
  const duplicates: DuplicateRange[] = [];
  for (const [first, ...rest] of byRange.values()) {
    if (first === undefined || rest.length === 0) continue;
    const { topic, partition, from_offset, to_offset } = first.source;
    duplicates.push({
      topic,
      partition,
      from: from_offset,
      to: to_offset,
      copies: rest.length + 1,
      sameCounts: rest.every((r) => !countsDiffer(first, r)),
    });
  }

  // Tiling looks at distinct ranges: a copy of one range is reported above, not again as an overlap.
  const distinct = [...byRange.values()].map((copies) => copies[0] as AnalyticsRecord);
  const partitions = groupByPartition(distinct);
  const gaps: OffsetGap[] = [];
  const overlaps: OffsetOverlap[] = [];
  for (const ranges of partitions.values()) tile(ranges, gaps, overlaps);
  const missingCoverage = options.expectedCoverage ? findMissing(options.expectedCoverage, partitions) : [];

  const duplicateCopies = duplicates.reduce((n, d) => n + d.copies - 1, 0);
  return { ...addUp(all), records: all.length, duplicates, duplicateCopies, gaps, overlaps, missingCoverage };
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
  const sorted = [...expected.partitions].sort(([a], [b]) => a - b);
  for (const [partition, [from, to]] of sorted) {
    if (to < from) continue;
    const ranges = partitions.get(`${topic}:${partition}`)?.ranges ?? [];
    const first = ranges[0]?.from;
    const last = ranges.reduce<bigint | undefined>(
      (max, r) => (max === undefined || r.to > max ? r.to : max),
      undefined,
    );
    const span = (a: bigint, b: bigint) => ({ topic, partition, from: a.toString(), to: b.toString() });
    if (first === undefined || last === undefined || first > to || last < from) {
      missing.push(span(from, to));
      continue;
    }
    if (first > from) missing.push(span(from, first - 1n));
    if (last < to) missing.push(span(last + 1n, to));
  }
  return missing;
}

function addUp(records: Iterable<AnalyticsRecord>) {
  let total = 0;
  let invalid = 0;
  const byDeviceType: LabelCounts = new Map();
  const byLocale: LabelCounts = new Map();
  const byAppVersion: LabelCounts = new Map();
  const invalidByReason: LabelCounts = new Map();
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
    byDeviceType: sortedByLabel(byDeviceType),
    byLocale: sortedByLabel(byLocale),
    byAppVersion: sortedByLabel(byAppVersion),
    invalidByReason: sortedByLabel(invalidByReason),
  };
}

// Maps, not plain objects: labels are untrusted and a key such as "__proto__" must add up like any other.
function addInto(into: LabelCounts, counts: Partial<Record<string, number>>): void {
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

/**
 * What the source ranges alone say was lost and counted twice, in input offsets: offsets no range covers
 * (gaps and missing coverage), and offsets covered again (overlaps, and each extra copy of a range). A loss
 * and a double count of the same size cancel in every count, label by label; they never cancel here.
 */
export function rangeBounds(analytics: AnalyticsSummary): { uncovered: number; overcounted: number } {
  const span = (from: bigint, to: bigint) => (to >= from ? Number(to - from + 1n) : 0);
  let uncovered = 0;
  for (const gap of analytics.gaps) uncovered += span(BigInt(gap.after) + 1n, BigInt(gap.before) - 1n);
  for (const missing of analytics.missingCoverage)
    uncovered += span(BigInt(missing.from), BigInt(missing.to));
  let overcounted = 0;
  for (const { first, second } of analytics.overlaps) {
    const from = BigInt(first.from) > BigInt(second.from) ? BigInt(first.from) : BigInt(second.from);
    const to = BigInt(first.to) < BigInt(second.to) ? BigInt(first.to) : BigInt(second.to);
    overcounted += span(from, to);
  }
  for (const d of analytics.duplicates) overcounted += (d.copies - 1) * span(BigInt(d.from), BigInt(d.to));
  return { uncovered, overcounted };
}
