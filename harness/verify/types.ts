import type { LabelCounts } from "../core/assertion.ts";

export interface AggregateCounts {
  /** Valid logins, summed over every analytics record read (copies of one range included). */
  total: number;
  byDeviceType: LabelCounts;
  byLocale: LabelCounts;
  byAppVersion: LabelCounts;
  invalid: number;
  invalidByReason: LabelCounts;
  /** Analytics records read. */
  records: number;
  /** Copies of a source range beyond its first: each counted its range again. */
  duplicateCopies: number;
  dlqRecords: number;
}

export interface BaselineComparison {
  metric: string;
  /** Null when that run could not measure it: the comparison then fails, unchecked. */
  baseline: number | null;
  current: number | null;
  /** Relative change allowed, 0.2 = 20 %. */
  tolerance: number;
  /** "higher" when a larger value is better (rate), "lower" when smaller is better (latency, lag). */
  better: "higher" | "lower";
  pass: boolean;
  /**
   * The worst current value that still passed: the baseline with the tolerance applied, and never below
   * the metric's floor. Absent in reports written before it was recorded.
   */
  limit?: number;
}
