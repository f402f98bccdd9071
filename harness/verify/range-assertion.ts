import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import type { AnalyticsSummary, MissingCoverage, OffsetGap } from "./analytics-ranges.ts";
import { MAX_LISTED } from "./assertion.ts";

/**
 * The analytics' source ranges must cover every input offset of the run exactly once: no gap, no overlap,
 * no range published twice (a reader that sums the topic counts every copy) and no unreadable record.
 * Given the group's committed offsets, only offsets behind them count as gaps here: the rest were not
 * reached yet, and "events not yet aggregated" names them.
 */
export function rangeAssertion(
  analytics: AnalyticsSummary,
  unreadable: readonly string[],
  committed?: ReadonlyMap<number, bigint>,
): Assertion {
  const { overlaps, duplicates } = analytics;
  const gaps = committed ? clipGaps(analytics.gaps, committed) : analytics.gaps;
  const missingCoverage = committed
    ? clipMissing(analytics.missingCoverage, committed)
    : analytics.missingCoverage;
  const problems = [
    ...duplicates.map(
      (d) =>
        `offsets ${d.from}–${d.to} of ${d.topic}/${d.partition} published ${d.copies} times${d.sameCounts ? "" : " with different counts"}`,
    ),
    ...gaps.map((g) => `gap in ${g.topic}/${g.partition} between ${g.after} and ${g.before}`),
    ...overlaps.map(
      (o) =>
        `overlap in ${o.topic}/${o.partition}: ${o.first.from}–${o.first.to} and ${o.second.from}–${o.second.to}`,
    ),
    ...missingCoverage.map((m) => `offsets ${m.from}–${m.to} of ${m.topic}/${m.partition} never aggregated`),
    ...unreadable,
  ];
  const observedValue = {
    duplicates: duplicates.map((d) => ({ ...d })),
    gaps: gaps.map((g) => ({ ...g })),
    overlaps: overlaps.map((o) => ({ ...o, first: { ...o.first }, second: { ...o.second } })),
    missing: missingCoverage.map((m) => ({ ...m })),
    unreadable: [...unreadable],
  };
  const assertion: Assertion = {
    name: "analytics cover every input offset exactly once",
    relation: "=",
    expectedValue: { duplicates: [], gaps: [], overlaps: [], missing: [], unreadable: [] },
    observedValue,
    expected: "no duplicate ranges, gaps, overlaps or unreadable records",
    observed: problems.length === 0 ? "none" : `${formatCount(problems.length)} problem(s)`,
    pass: problems.length === 0,
  };
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED);
    if (problems.length > MAX_LISTED) listed.push(`and ${problems.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

/** The part of each gap behind its partition's committed offset (none committed: nothing behind it). */
function clipGaps(gaps: readonly OffsetGap[], committed: ReadonlyMap<number, bigint>): OffsetGap[] {
  return gaps.flatMap((g) => {
    const c = committed.get(g.partition) ?? -1n;
    if (c <= BigInt(g.after) + 1n) return [];
    return [{ ...g, before: (c < BigInt(g.before) ? c : BigInt(g.before)).toString() }];
  });
}

function clipMissing(missing: readonly MissingCoverage[], committed: ReadonlyMap<number, bigint>) {
  return missing.flatMap((m) => {
    const c = committed.get(m.partition) ?? -1n;
    if (c <= BigInt(m.from)) return [];
    return [{ ...m, to: (c - 1n < BigInt(m.to) ? c - 1n : BigInt(m.to)).toString() }];
  });
}
