/** The one shape of a finding: every layer that judges something (faults applied, stalls, exactness,
 * thresholds) reports it as an Assertion, with its figures as data and formatted beside them for people. */

/**
 * Counts by a label taken from the input (device type, locale, app version, reason). A Map, because labels
 * are untrusted text and `constructor` or `__proto__` must count like any other; report.json writes it as
 * an object.
 */
export type LabelCounts = Map<string, number>;

/** A figure an assertion compared, as data a program can read. */
export type AssertionValue =
  | number
  | string
  | boolean
  | null
  | LabelCounts
  | AssertionValue[]
  | { [key: string]: AssertionValue };

export interface Assertion {
  name: string;
  /** How the observed value must stand to the expected one. */
  relation: "=" | "≤" | "≥";
  expectedValue: AssertionValue;
  observedValue: AssertionValue;
  /** The unit of numeric values, when they have one ("ms", "s", "offsets", "events/s"). */
  unit?: string;
  /** The same two values, formatted for people. */
  expected: string;
  observed: string;
  pass: boolean;
  detail?: string;
}

/** The same counts in label order, so that reports list them the same way every run. */
export function sortedByLabel(counts: LabelCounts): LabelCounts {
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
