import { formatCount } from "../report/format.ts";
import type { AggregateCounts, Assertion, Counts } from "../result/types.ts";

/** The seed-compatible Prometheus figures the consumer exports (total_count, device_type_count, locale_count). */
export interface SeedCounters {
  total: number;
  byDeviceType: Record<string, number>;
  byLocale: Record<string, number>;
}

/** Differences listed in an assertion's detail before "and N more". */
const MAX_LISTED = 10;

/**
 * The exactness checks, from the producer's acknowledgements to the pipeline's output:
 * ledger = recount (the topic holds what was acknowledged), recount = aggregates (every valid record
 * counted once, in total and per device_type and locale), DLQ = invalid records, and the Prometheus
 * counters when given. `aggregates.total` counts valid records only.
 */
export function exactnessAssertions(
  ledger: Counts,
  recount: Counts,
  aggregates: AggregateCounts,
  prometheus?: SeedCounters,
): Assertion[] {
  const assertions = [
    equalCounts("ledger total = recount total", ledger.total, recount.total),
    equalCounts("ledger valid = recount valid", ledger.valid, recount.valid),
    equalCounts("ledger invalid = recount invalid", ledger.invalid, recount.invalid),
    equalCounts("aggregated total = recount valid", recount.valid, aggregates.total),
    equalCounts("aggregated invalid = recount invalid", recount.invalid, aggregates.invalid),
    equalDimension(
      "aggregates by device_type = recount",
      recount.byDeviceType,
      aggregates.byDeviceType,
      "aggregates",
    ),
    equalDimension("aggregates by locale = recount", recount.byLocale, aggregates.byLocale, "aggregates"),
    equalCounts("DLQ records = recount invalid", recount.invalid, aggregates.dlqRecords),
  ];
  if (prometheus) {
    assertions.push(
      equalCounts("Prometheus total = recount valid", recount.valid, prometheus.total),
      equalDimension(
        "Prometheus by device_type = recount",
        recount.byDeviceType,
        prometheus.byDeviceType,
        "Prometheus",
      ),
      equalDimension("Prometheus by locale = recount", recount.byLocale, prometheus.byLocale, "Prometheus"),
    );
  }
  return assertions;
}

/**
 * Events lost and counted twice, as seen from the outside. A loss in one locale and a duplicate in
 * another cancel out in the total, so each dimension is compared key by key and the largest shortfall
 * (and excess) is taken: a lower bound on the true figures. Invalid records missing from, or repeated
 * in, the DLQ count too.
 */
export function lostAndDuplicated(
  recount: Counts,
  aggregates: AggregateCounts,
): { lost: number; duplicated: number } {
  const dimensions = [
    gaps({ total: recount.valid }, { total: aggregates.total }),
    gaps(recount.byDeviceType, aggregates.byDeviceType),
    gaps(recount.byLocale, aggregates.byLocale),
  ];
  const dlq = gaps({ dlq: recount.invalid }, { dlq: aggregates.dlqRecords });
  return {
    lost: Math.max(...dimensions.map((d) => d.missing)) + dlq.missing,
    duplicated: Math.max(...dimensions.map((d) => d.extra)) + dlq.extra,
  };
}

function gaps(
  expected: Record<string, number>,
  observed: Record<string, number>,
): { missing: number; extra: number } {
  let missing = 0;
  let extra = 0;
  for (const key of keysOf(expected, observed)) {
    const difference = (observed[key] ?? 0) - (expected[key] ?? 0);
    if (difference < 0) missing -= difference;
    else extra += difference;
  }
  return { missing, extra };
}

function equalCounts(name: string, expected: number, observed: number): Assertion {
  const assertion: Assertion = {
    name,
    expected: formatCount(expected),
    observed: formatCount(observed),
    pass: expected === observed,
  };
  if (!assertion.pass)
    assertion.detail = `${formatSigned(observed - expected)} (${observed < expected ? "missing" : "extra"})`;
  return assertion;
}

/** One assertion for a whole breakdown (every device_type, every locale), listing the keys that differ. */
function equalDimension(
  name: string,
  expected: Record<string, number>,
  observed: Record<string, number>,
  observedLabel: string,
): Assertion {
  const keys = keysOf(expected, observed);
  const differing = keys.filter((key) => (expected[key] ?? 0) !== (observed[key] ?? 0));
  const summary = (counts: Record<string, number>) =>
    `${formatCount(Object.keys(counts).length)} values, ${formatCount(sum(counts))} in all`;
  const assertion: Assertion = {
    name,
    expected: summary(expected),
    observed:
      differing.length === 0
        ? summary(observed)
        : `${formatCount(differing.length)} of ${formatCount(keys.length)} values differ`,
    pass: differing.length === 0,
  };
  if (differing.length > 0) {
    const listed = differing.slice(0, MAX_LISTED).map((key) => {
      const e = expected[key] ?? 0;
      const o = observed[key] ?? 0;
      return `${key}: recount ${formatCount(e)}, ${observedLabel} ${formatCount(o)} (${formatSigned(o - e)})`;
    });
    if (differing.length > MAX_LISTED) listed.push(`and ${differing.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

function keysOf(...maps: Record<string, number>[]): string[] {
  return [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function formatSigned(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : `−${formatCount(-n)}`;
}
