import type { LabelCounts, RunResult } from "../result/types.ts";

/**
 * The rows of the exactness table: what was sent (ledger), what a fresh read of the input topic found
 * (recount) and what the pipeline's aggregates say. `aggregates.total` counts valid logins only; invalid
 * records are counted apart and go to the DLQ. A cell is null where a source has no such figure.
 */
export interface ExactnessRow {
  label: string;
  ledger: number | null;
  recount: number | null;
  aggregates: number | null;
  /** Null when fewer than two sources have the figure. */
  equal: boolean | null;
}

function row(
  label: string,
  ledger: number | null,
  recount: number | null,
  aggregates: number | null,
): ExactnessRow {
  const present = [ledger, recount, aggregates].filter((v) => v !== null);
  return {
    label,
    ledger,
    recount,
    aggregates,
    equal: present.length < 2 ? null : present.every((v) => v === present[0]),
  };
}

function keysOf(...maps: LabelCounts[]): string[] {
  return [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
}

/** One row per label of a breakdown, with the count each source has for it (0 where it has none). */
function labelRows(prefix: string, ledger: LabelCounts, recount: LabelCounts, aggregates?: LabelCounts) {
  const sources = aggregates ? [ledger, recount, aggregates] : [ledger, recount];
  return keysOf(...sources).map((label) =>
    row(
      `${prefix}${label}`,
      ledger.get(label) ?? 0,
      recount.get(label) ?? 0,
      aggregates ? (aggregates.get(label) ?? 0) : null,
    ),
  );
}

export function exactnessRows(result: RunResult): ExactnessRow[] {
  const { ledger, recount, aggregates } = result;
  return [
    row("records sent", ledger.total, recount.total, null),
    row("valid", ledger.valid, recount.valid, aggregates.total),
    row("invalid", ledger.invalid, recount.invalid, aggregates.invalid),
    row("invalid → DLQ", ledger.invalid, recount.invalid, aggregates.dlqRecords),
    ...labelRows("invalid: ", ledger.invalidByReason, recount.invalidByReason, aggregates.invalidByReason),
    ...labelRows("device_type ", ledger.byDeviceType, recount.byDeviceType, aggregates.byDeviceType),
    ...labelRows("app_version ", ledger.byAppVersion, recount.byAppVersion, aggregates.byAppVersion),
    row("aggregate records read", null, null, aggregates.records),
    row("copies of a range published before", null, null, aggregates.duplicateCopies),
  ];
}

export interface LocaleSummary {
  count: number;
  differing: ExactnessRow[];
}

export function localeSummary(result: RunResult): LocaleSummary {
  const { ledger, recount, aggregates } = result;
  const rows = labelRows("", ledger.byLocale, recount.byLocale, aggregates.byLocale);
  return { count: rows.length, differing: rows.filter((r) => r.equal === false) };
}

/** "50 locales, all equal", or the ones that differ with their three counts. */
export function describeLocales(summary: LocaleSummary): string {
  if (summary.differing.length === 0) return `${summary.count} locales, all equal`;
  const listed = summary.differing
    .map((r) => `${r.label} (ledger ${r.ledger}, recount ${r.recount}, aggregates ${r.aggregates})`)
    .join(", ");
  return `${summary.count} locales, ${summary.differing.length} differ: ${listed}`;
}
