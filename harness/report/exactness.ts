import type { RunResult } from "../result/types.ts";

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

function keysOf(...maps: Record<string, number>[]): string[] {
  return [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
}

export function exactnessRows(result: RunResult): ExactnessRow[] {
  const { ledger, recount, aggregates } = result;
  return [
    row("records sent", ledger.total, recount.total, null),
    row("valid", ledger.valid, recount.valid, aggregates.total),
    row("invalid", ledger.invalid, recount.invalid, aggregates.invalid),
    row("invalid → DLQ", ledger.invalid, recount.invalid, aggregates.dlqRecords),
    ...keysOf(ledger.invalidByReason, recount.invalidByReason).map((reason) =>
      row(
        `invalid: ${reason}`,
        ledger.invalidByReason[reason] ?? 0,
        recount.invalidByReason[reason] ?? 0,
        null,
      ),
    ),
    ...keysOf(ledger.byDeviceType, recount.byDeviceType, aggregates.byDeviceType).map((type) =>
      row(
        `device_type ${type}`,
        ledger.byDeviceType[type] ?? 0,
        recount.byDeviceType[type] ?? 0,
        aggregates.byDeviceType[type] ?? 0,
      ),
    ),
    row("aggregate records read", null, null, aggregates.records),
    row("duplicate ranges dropped", null, null, aggregates.duplicateRangesDropped),
  ];
}

export interface LocaleSummary {
  count: number;
  differing: ExactnessRow[];
}

export function localeSummary(result: RunResult): LocaleSummary {
  const { ledger, recount, aggregates } = result;
  const locales = keysOf(ledger.byLocale, recount.byLocale, aggregates.byLocale);
  const rows = locales.map((l) =>
    row(l, ledger.byLocale[l] ?? 0, recount.byLocale[l] ?? 0, aggregates.byLocale[l] ?? 0),
  );
  return { count: locales.length, differing: rows.filter((r) => r.equal === false) };
}

/** "50 locales, all equal", or the ones that differ with their three counts. */
export function describeLocales(summary: LocaleSummary): string {
  if (summary.differing.length === 0) return `${summary.count} locales, all equal`;
  const listed = summary.differing
    .map((r) => `${r.label} (ledger ${r.ledger}, recount ${r.recount}, aggregates ${r.aggregates})`)
    .join(", ");
  return `${summary.count} locales, ${summary.differing.length} differ: ${listed}`;
}
