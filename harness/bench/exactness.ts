import type { AnalyticsSummary } from "../../pipeline/consumer/aggregate/reader.ts";
import type { Counts } from "../result/types.ts";
import type { Collected } from "../verify/collect.ts";
import { exactnessAssertions } from "../verify/exactness.ts";

/**
 * What is wrong with one aggregator run, as short phrases; empty when it was exact. The recount of the
 * input stands in for the ledger: the bench pre-fills the topic, so it only has to hold `produced` records.
 */
export function exactnessProblems(
  produced: number,
  recount: Counts,
  analytics: AnalyticsSummary,
  dlq: Collected["dlq"],
  unreadableAnalytics: readonly string[],
): string[] {
  const aggregates = { ...analytics, dlqRecords: dlq.total };
  const problems = exactnessAssertions(recount, recount, aggregates)
    .filter((a) => !a.pass)
    .map((a) => `${a.name}: expected ${a.expected}, got ${a.observed}`);
  if (recount.total !== produced) problems.push(`input holds ${recount.total} records, ${produced} produced`);
  if (!sameCounts(dlq.byReason, recount.invalidByReason))
    problems.push("DLQ reasons differ from the recount");
  // The input has no transaction markers, so each partition's ranges must tile all of it.
  const ranges = [
    ["overlapping ranges", analytics.overlaps.length],
    ["gaps between ranges", analytics.gaps.length],
    ["ranges re-sent with other counts", analytics.conflictingDuplicates.length],
    ["stretches of input no range covers", analytics.missingCoverage.length],
    ["unreadable analytics records", unreadableAnalytics.length],
  ] as const;
  for (const [what, n] of ranges) if (n > 0) problems.push(`${n} ${what}`);
  return problems;
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}
