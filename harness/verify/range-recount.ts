import { type AnalyticsRecord, analyticsKey } from "../../pipeline/consumer/aggregate/record.ts";
import type { ValidationResult } from "../../pipeline/events/login-event.ts";
import type { Counts } from "../load/ledger.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { labelsOf } from "./assertion.ts";

/** One figure of an analytics record that differs from the recount of its source range. */
export interface FigureDifference {
  /** "total", "invalid", or a breakdown's label: "by_locale.CA", "invalid_by_reason.not_json". */
  figure: string;
  expected: number;
  observed: number;
}

/** An analytics record whose figures are not the recount of exactly its source range. */
export interface RangeMismatch {
  key: string;
  topic: string;
  partition: number;
  from: string;
  to: string;
  instanceId: string;
  /** Input records the range holds (offsets without records, such as transaction markers, are not records). */
  inputRecords: number;
  /** First and last offset holding a record inside the range; null when it holds none. */
  firstRecordOffset: string | null;
  lastRecordOffset: string | null;
  /** Records the analytics record says it counted (total + invalid). */
  counted: number;
  differences: FigureDifference[];
}

/** Consecutive input records that no analytics record covers (no covered record between them). */
export interface UncoveredSpan {
  topic: string;
  partition: number;
  from: string;
  to: string;
  records: number;
}

/**
 * Input records no analytics record covers, split by the group's committed offset: behind it the group
 * said it was done with them, so they are lost; at or after it they were still ahead of the aggregators
 * (lag, not loss).
 */
export interface UncoveredRecords {
  /** False when the committed offsets were not known: then every uncovered record counts as lost. */
  committedKnown: boolean;
  lost: { records: number; spans: UncoveredSpan[]; unlistedSpans: number };
  notYetAggregated: {
    records: number;
    spans: UncoveredSpan[];
    unlistedSpans: number;
    /** The group's committed offset of each partition with such records (null: none committed). */
    committed: { partition: number; offset: string | null }[];
    /** Their counts, so the count checks can tell a late record from a lost one. */
    counts: Counts;
  };
}

export interface RangeRecountResult {
  /** Analytics records checked, copies included. */
  checked: number;
  mismatches: RangeMismatch[];
  uncovered: UncoveredRecords;
}

/** Spans listed per kind before the rest are only counted: a run can leave many holes. */
export const MAX_SPANS = 100;

interface RangeCount {
  from: bigint;
  to: bigint;
  counts: CountsBuilder;
  records: number;
  first: bigint | null;
  last: bigint | null;
  copies: AnalyticsRecord[];
}

interface PartitionState {
  /** Sorted by start. */
  ranges: RangeCount[];
  next: number;
  active: RangeCount[];
  lastOffset: bigint;
  open: { span: UncoveredSpan; late: boolean } | undefined;
}

/**
 * Recounts each analytics record's own source range while the input streams past, without keeping the
 * input: the analytics are read first, each partition's ranges are sorted, and each input record (in offset
 * order per partition) is counted into every range that contains it. Also notes the input records no
 * range covers.
 */
export class RangeRecounter {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly late = new CountsBuilder();
  private readonly lost = { records: 0, spans: [] as UncoveredSpan[], unlistedSpans: 0 };
  private readonly lateSpans = { records: 0, spans: [] as UncoveredSpan[], unlistedSpans: 0 };
  private readonly latePartitions = new Set<number>();

  /**
   * `committed`: the aggregators' group's committed offset per input partition (-1n or absent: none), or
   * undefined when it could not be read.
   */
  constructor(
    private readonly topic: string,
    records: Iterable<AnalyticsRecord>,
    private readonly committed?: ReadonlyMap<number, bigint>,
  ) {
    const byKey = new Map<string, RangeCount>();
    for (const record of records) {
      if (record.source.topic !== topic) continue;
      const key = analyticsKey(record.source);
      const range = byKey.get(key);
      if (range) {
        range.copies.push(record);
        continue;
      }
      const fresh: RangeCount = {
        from: BigInt(record.source.from_offset),
        to: BigInt(record.source.to_offset),
        counts: new CountsBuilder(),
        records: 0,
        first: null,
        last: null,
        copies: [record],
      };
      byKey.set(key, fresh);
      this.partition(record.source.partition).ranges.push(fresh);
    }
    for (const state of this.partitions.values()) state.ranges.sort((a, b) => (a.from < b.from ? -1 : 1));
  }

  /** One input record and the validation rule's verdict on it; says whether a range covers it. */
  add(partition: number, offset: bigint, verdict: ValidationResult): "covered" | "lost" | "late" {
    const state = this.partition(partition);
    if (offset < state.lastOffset) {
      // Out of order (a reader that went back): find the containing ranges from the start again.
      state.next = 0;
      state.active = [];
    }
    state.lastOffset = offset;
    while (state.next < state.ranges.length && (state.ranges[state.next] as RangeCount).from <= offset) {
      state.active.push(state.ranges[state.next] as RangeCount);
      state.next += 1;
    }
    state.active = state.active.filter((r) => r.to >= offset);
    if (state.active.length === 0) return this.uncovered(state, partition, offset, verdict);
    state.open = undefined;
    for (const range of state.active) {
      range.counts.addVerdict(verdict);
      range.records += 1;
      range.first ??= offset;
      range.last = offset;
    }
    return "covered";
  }

  result(): RangeRecountResult {
    const mismatches: RangeMismatch[] = [];
    let checked = 0;
    const sorted = [...this.partitions].sort(([a], [b]) => a - b);
    for (const [, state] of sorted) {
      for (const range of state.ranges) {
        const recount = range.counts.build();
        for (const record of range.copies) {
          checked += 1;
          const differences = compare(recount, record);
          if (differences.length === 0) continue;
          mismatches.push({
            key: analyticsKey(record.source),
            topic: record.source.topic,
            partition: record.source.partition,
            from: record.source.from_offset,
            to: record.source.to_offset,
            instanceId: record.aggregator.instance_id,
            inputRecords: range.records,
            firstRecordOffset: range.first?.toString() ?? null,
            lastRecordOffset: range.last?.toString() ?? null,
            counted: record.total + record.invalid,
            differences,
          });
        }
      }
    }
    const committed = [...this.latePartitions]
      .sort((a, b) => a - b)
      .map((partition) => {
        const offset = this.committed?.get(partition);
        return { partition, offset: offset === undefined || offset < 0n ? null : offset.toString() };
      });
    return {
      checked,
      mismatches,
      uncovered: {
        committedKnown: this.committed !== undefined,
        lost: { ...this.lost, spans: bySpanStart(this.lost.spans) },
        notYetAggregated: {
          ...this.lateSpans,
          spans: bySpanStart(this.lateSpans.spans),
          committed,
          counts: this.late.build(),
        },
      },
    };
  }

  private uncovered(
    state: PartitionState,
    partition: number,
    offset: bigint,
    verdict: ValidationResult,
  ): "lost" | "late" {
    const committed = this.committed?.get(partition) ?? -1n;
    // Behind the committed offset the group is done with a record; with no commit at all it is not.
    const late = this.committed !== undefined && (committed < 0n || offset >= committed);
    const kind = late ? this.lateSpans : this.lost;
    kind.records += 1;
    if (late) {
      this.late.addVerdict(verdict);
      this.latePartitions.add(partition);
    }
    if (state.open && state.open.late === late) {
      state.open.span.to = offset.toString();
      state.open.span.records += 1;
    } else {
      const span = {
        topic: this.topic,
        partition,
        from: offset.toString(),
        to: offset.toString(),
        records: 1,
      };
      if (kind.spans.length < MAX_SPANS) kind.spans.push(span);
      else kind.unlistedSpans += 1;
      state.open = { span, late };
    }
    return late ? "late" : "lost";
  }

  private partition(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (state === undefined) {
      state = { ranges: [], next: 0, active: [], lastOffset: -1n, open: undefined };
      this.partitions.set(partition, state);
    }
    return state;
  }
}

function compare(recount: Counts, record: AnalyticsRecord): FigureDifference[] {
  const differences: FigureDifference[] = [];
  const figure = (name: string, expected: number, observed: number) => {
    if (expected !== observed) differences.push({ figure: name, expected, observed });
  };
  figure("total", recount.valid, record.total);
  figure("invalid", recount.invalid, record.invalid);
  const breakdowns = [
    ["by_device_type", recount.byDeviceType, record.by_device_type],
    ["by_locale", recount.byLocale, record.by_locale],
    ["by_app_version", recount.byAppVersion, record.by_app_version],
    ["invalid_by_reason", recount.invalidByReason, record.invalid_by_reason],
  ] as const;
  for (const [name, expected, observed] of breakdowns) {
    const observedMap = new Map(Object.entries(observed).map(([k, v]) => [k, v ?? 0]));
    for (const label of labelsOf(expected, observedMap))
      figure(`${name}.${label}`, expected.get(label) ?? 0, observedMap.get(label) ?? 0);
  }
  return differences;
}

/** Partition, then offset order: the input streams its partitions interleaved. */
function bySpanStart(spans: readonly UncoveredSpan[]): UncoveredSpan[] {
  return [...spans].sort((a, b) => a.partition - b.partition || (BigInt(a.from) < BigInt(b.from) ? -1 : 1));
}
