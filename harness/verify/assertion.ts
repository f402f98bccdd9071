import type { Assertion, LabelCounts } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";

/** Differences listed in an assertion's detail before "and N more". */
export const MAX_LISTED = 10;

/** Two counts that must be equal; the detail says by how much and which way they differ. */
export function equalCount(name: string, expected: number, observed: number, unit = "events"): Assertion {
  const assertion: Assertion = {
    name,
    relation: "=",
    expectedValue: expected,
    observedValue: observed,
    unit,
    expected: formatCount(expected),
    observed: formatCount(observed),
    pass: expected === observed,
  };
  if (!assertion.pass)
    assertion.detail = `${formatSigned(observed - expected)} (${observed < expected ? "missing" : "extra"})`;
  return assertion;
}

/**
 * One assertion for a whole breakdown (every device_type, every locale): the values are the two maps,
 * and the detail lists the labels that differ.
 */
export function equalLabels(
  name: string,
  expected: LabelCounts,
  observed: LabelCounts,
  sources: { expected: string; observed: string } = { expected: "recount", observed: "aggregates" },
): Assertion {
  const keys = labelsOf(expected, observed);
  const differing = keys.filter((key) => (expected.get(key) ?? 0) !== (observed.get(key) ?? 0));
  const summary = (counts: LabelCounts) =>
    `${formatCount(counts.size)} ${counts.size === 1 ? "value" : "values"}, ${formatCount(sumOf(counts))} in all`;
  const assertion: Assertion = {
    name,
    relation: "=",
    expectedValue: expected,
    observedValue: observed,
    unit: "events",
    expected: summary(expected),
    observed:
      differing.length === 0
        ? summary(observed)
        : `${formatCount(differing.length)} of ${formatCount(keys.length)} values differ`,
    pass: differing.length === 0,
  };
  if (differing.length > 0) {
    const listed = differing.slice(0, MAX_LISTED).map((key) => {
      const e = expected.get(key) ?? 0;
      const o = observed.get(key) ?? 0;
      return `${key}: ${sources.expected} ${formatCount(e)}, ${sources.observed} ${formatCount(o)} (${formatSigned(o - e)})`;
    });
    if (differing.length > MAX_LISTED) listed.push(`and ${differing.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

/** Every label of the maps given, sorted. */
export function labelsOf(...maps: LabelCounts[]): string[] {
  return [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
}

export function sumOf(counts: LabelCounts): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

export function formatSigned(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : `−${formatCount(-n)}`;
}
