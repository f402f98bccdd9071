import type { AckedBatch } from "../../pipeline/producer/acks.ts";
import type { Assertion, LabelCounts } from "../core/assertion.ts";
import { sortedByLabel } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import type { Counts } from "./ledger.ts";
import { CountsBuilder } from "./ledger.ts";

/** Offsets `from` to `to`, both included, of one partition. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

/** What one load driver process had acknowledged: its counts, and where on each partition they landed. */
export interface DriverLedgerPart {
  /** The process's index, from 0. */
  driver: number;
  counts: Counts;
  /** Per partition, its acked offsets as ranges in order, adjacent ones joined. */
  acked: Map<number, OffsetRange[]>;
}

/** One driver process's ledger, kept in that process. */
export class DriverLedger {
  private readonly counts = new CountsBuilder();
  private readonly acked = new Map<number, OffsetRange[]>();

  constructor(private readonly driver: number) {}

  add(ack: AckedBatch): void {
    if (ack.records.length === 0) return;
    for (const record of ack.records) this.counts.addSent(record);
    const from = BigInt(ack.baseOffset);
    const range = { from, to: from + BigInt(ack.records.length - 1) };
    const ranges = this.acked.get(ack.partition);
    if (ranges) ranges.push(range);
    else this.acked.set(ack.partition, [range]);
  }

  part(): DriverLedgerPart {
    const acked = new Map([...this.acked].map(([p, ranges]) => [p, joinAdjacent(ranges)] as const));
    return { driver: this.driver, counts: this.counts.build(), acked };
  }
}

/** The run's ledger from its driver processes', and whatever their acked offsets say against each other. */
export interface MergedLedger {
  counts: Counts;
  /** Offsets two processes both say they had acknowledged: a bug, since each record has one sender. */
  overlaps: string[];
  /** Offsets between acked ones that no process had acknowledged: records in the topic nobody counted. */
  gaps: string[];
}

/** Counts add; each partition's acked ranges, put together, must tile it without overlap or hole. */
export function mergeDriverLedgers(parts: readonly DriverLedgerPart[]): MergedLedger {
  const overlaps: string[] = [];
  const gaps: string[] = [];
  const partitions = [...new Set(parts.flatMap((part) => [...part.acked.keys()]))].sort((a, b) => a - b);
  for (const partition of partitions) {
    const ranges = parts
      .flatMap((part) =>
        (part.acked.get(partition) ?? []).map((range) => ({ ...range, driver: part.driver })),
      )
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    let last: (OffsetRange & { driver: number }) | undefined;
    for (const range of ranges) {
      if (last && range.from <= last.to) {
        const to = smaller(range.to, last.to);
        overlaps.push(
          `partition ${partition} offsets ${range.from}–${to}: acked by driver ${last.driver} and driver ${range.driver}`,
        );
      } else if (last && range.from > last.to + 1n) {
        gaps.push(`partition ${partition} offsets ${last.to + 1n}–${range.from - 1n}: acked by no driver`);
      }
      if (!last || range.to > last.to) last = range;
    }
  }
  return { counts: addCounts(parts.map((part) => part.counts)), overlaps, gaps };
}

/** The merge's own assertion: every offset between the first and last acked was acked by exactly one process. */
export function driverLedgerAssertion(merged: MergedLedger, processes: number): Assertion {
  const problems = [...merged.overlaps, ...merged.gaps];
  return {
    name: `acked offsets of the ${processes} driver processes tile each partition`,
    relation: "=",
    expectedValue: 0,
    observedValue: problems.length,
    unit: "overlaps and gaps",
    expected: "no overlap, no gap",
    observed:
      problems.length === 0
        ? "no overlap, no gap"
        : `${formatCount(merged.overlaps.length)} overlap(s), ${formatCount(merged.gaps.length)} gap(s)`,
    pass: problems.length === 0,
    ...(problems.length > 0 ? { detail: problems.slice(0, 5).join("; ") } : {}),
  };
}

/** Math.min for offsets, which are bigints. */
function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

function joinAdjacent(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const joined: OffsetRange[] = [];
  for (const range of sorted) {
    const last = joined.at(-1);
    if (last && range.from === last.to + 1n) last.to = range.to;
    else joined.push({ ...range });
  }
  return joined;
}

function addCounts(all: readonly Counts[]): Counts {
  const sum = (pick: (c: Counts) => LabelCounts): LabelCounts => {
    const total: LabelCounts = new Map();
    for (const counts of all) for (const [k, n] of pick(counts)) total.set(k, (total.get(k) ?? 0) + n);
    return sortedByLabel(total);
  };
  return {
    total: all.reduce((n, c) => n + c.total, 0),
    valid: all.reduce((n, c) => n + c.valid, 0),
    invalid: all.reduce((n, c) => n + c.invalid, 0),
    byDeviceType: sum((c) => c.byDeviceType),
    byLocale: sum((c) => c.byLocale),
    byAppVersion: sum((c) => c.byAppVersion),
    invalidByReason: sum((c) => c.invalidByReason),
  };
}
