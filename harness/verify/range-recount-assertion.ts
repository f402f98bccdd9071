import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import { MAX_LISTED } from "./assertion.ts";
import type { RangeMismatch, RangeRecountResult, UncoveredRecords, UncoveredSpan } from "./range-recount.ts";

/** Figures listed per mismatching record before "and N more". */
const FIGURES_LISTED = 6;

/**
 * Every analytics record must hold the recount of exactly its source range: a record that skipped a
 * record of its range (or counted one twice, or one outside it) fails here by key even when the ranges
 * tile and the grand totals happen to agree.
 */
export function rangeRecountAssertion(recount: RangeRecountResult): Assertion {
  const { mismatches, checked } = recount;
  const assertion: Assertion = {
    name: "each analytics record equals the recount of its source range",
    relation: "=",
    expectedValue: 0,
    observedValue: {
      checked,
      mismatching: mismatches.length,
      mismatches: mismatches.slice(0, MAX_LISTED).map((m) => ({
        ...m,
        differences: m.differences.map((d) => ({ ...d })),
      })),
    },
    unit: "records",
    expected: `${formatCount(checked)} of ${formatCount(checked)} records equal their range's recount`,
    observed:
      mismatches.length === 0
        ? `${formatCount(checked)} records equal`
        : `${formatCount(mismatches.length)} of ${formatCount(checked)} records differ`,
    pass: mismatches.length === 0,
  };
  if (mismatches.length > 0) {
    const listed = mismatches.slice(0, MAX_LISTED).map(describeMismatch);
    if (mismatches.length > MAX_LISTED) listed.push(`and ${mismatches.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

function describeMismatch(m: RangeMismatch): string {
  const held =
    m.firstRecordOffset === null
      ? "no input record"
      : `${formatCount(m.inputRecords)} input record(s) at ${m.firstRecordOffset}–${m.lastRecordOffset}`;
  const figures = m.differences
    .slice(0, FIGURES_LISTED)
    .map((d) => `${d.figure} recount ${formatCount(d.expected)}, record ${formatCount(d.observed)}`);
  if (m.differences.length > FIGURES_LISTED)
    figures.push(`and ${m.differences.length - FIGURES_LISTED} more figures`);
  const which =
    m.counted < m.inputRecords
      ? `, so ${formatCount(m.inputRecords - m.counted)} record(s) of its range went uncounted`
      : m.counted > m.inputRecords
        ? `, so it counted ${formatCount(m.counted - m.inputRecords)} record(s) its range does not hold`
        : "";
  return `${m.key} (offsets ${m.from}–${m.to} of ${m.topic}/${m.partition}, aggregator ${m.instanceId}): range holds ${held}, record counted ${formatCount(m.counted)}${which}; ${figures.join(", ")}`;
}

function describeSpans(spans: readonly UncoveredSpan[], unlisted: number): string {
  const listed = spans
    .slice(0, MAX_LISTED)
    .map((s) => `${s.topic}/${s.partition} offsets ${s.from}–${s.to} (${formatCount(s.records)})`);
  const more = spans.length - Math.min(spans.length, MAX_LISTED) + unlisted;
  if (more > 0) listed.push(`and ${formatCount(more)} more span(s)`);
  return listed.join(", ");
}

/**
 * Input records still ahead of the group's committed offsets when verification began: the run ended before
 * the aggregators reached them. That is lag, not loss, but an exact run must have aggregated everything, so
 * it fails under its own name.
 */
export function notYetAggregatedAssertion(
  uncovered: UncoveredRecords,
  committedUnknown = "the aggregators' committed offsets were not read",
): Assertion | undefined {
  // Undefined when there is nothing to tell apart.
  const late = uncovered.notYetAggregated;
  if (!uncovered.committedKnown) {
    if (uncovered.lost.records === 0) return undefined;
    return {
      name: "events not yet aggregated",
      relation: "=",
      expectedValue: 0,
      observedValue: null,
      unit: "events",
      expected: "0",
      observed: "not measured",
      // Not a pass: without the committed offsets, lag cannot be told from loss.
      pass: false,
      detail: `${committedUnknown}, so uncovered events cannot be told apart as lost or not yet aggregated; all are counted lost`,
    };
  }
  if (late.records === 0) return undefined;
  const committed = late.committed.map((c) => `${c.partition}: ${c.offset ?? "none"}`).join(", ");
  return {
    name: "events not yet aggregated",
    relation: "=",
    expectedValue: 0,
    observedValue: late.records,
    unit: "events",
    expected: "0",
    observed: formatCount(late.records),
    pass: false,
    detail:
      `at or after the group's committed offset when the run ended (lag, not loss: the aggregators had not reached them): ` +
      `${describeSpans(late.spans, late.unlistedSpans)}; committed offsets ${committed}`,
  };
}
