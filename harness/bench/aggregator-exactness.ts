import type { Counts, LabelCounts } from "../result/types.ts";
import type { AnalyticsSummary } from "../verify/analytics-ranges.ts";
import type { Collected } from "../verify/collect.ts";
import { countAssertions } from "../verify/count-assertions.ts";

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
  const problems = countAssertions(recount, recount, aggregates)
    .filter((a) => !a.pass)
    .map((a) => `${a.name}: expected ${a.expected}, got ${a.observed}`);
  if (recount.total !== produced) problems.push(`input holds ${recount.total} records, ${produced} produced`);
  if (!sameCounts(dlq.byReason, recount.invalidByReason))
    problems.push("DLQ reasons differ from the recount");
  // The input has no transaction markers, so each partition's ranges must tile all of it.
  const ranges = [
    ["overlapping ranges", analytics.overlaps.length],
    ["gaps between ranges", analytics.gaps.length],
    ["ranges published more than once", analytics.duplicates.length],
    ["stretches of input no range covers", analytics.missingCoverage.length],
    ["unreadable analytics records", unreadableAnalytics.length],
  ] as const;
  for (const [what, n] of ranges) if (n > 0) problems.push(`${n} ${what}`);
  return problems;
}

function sameCounts(a: LabelCounts, b: LabelCounts): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].every((key) => (a.get(key) ?? 0) === (b.get(key) ?? 0));
}
