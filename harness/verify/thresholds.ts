import type { Assertion } from "../core/assertion.ts";
import { formatCount, formatPercent, formatRate, formatSeconds } from "../core/format.ts";
import type { Thresholds } from "../scenario/types.ts";

/** The run's figures that thresholds are judged on. */
export interface ObservedFigures {
  /** Null when no sample could read the lag: a limit on it then fails, unchecked. */
  maxLagOffsets: number | null;
  maxLagSeconds: number | null;
  /** Null when lag never reached zero after the load. */
  drainMs: number | null;
  targetPerSec: number;
  achievedPerSec: number;
  /** Null when no window was committed: the histogram is empty. */
  p99Ms: number | null;
  lost: number;
  duplicated: number;
}

const NO_LAG_READ = "not measured: no sample read the lag (the report's gaps say why)";

/** Whole milliseconds, so that a figure just over its limit never reads the same as the limit. */
function formatMillis(ms: number): string {
  return `${formatCount(ms)} ms`;
}

/** One assertion per threshold the scenario sets, with the values as numbers and written for a person. */
export function evaluateThresholds(thresholds: Thresholds, observed: ObservedFigures): Assertion[] {
  const assertions: Assertion[] = [];
  const bound = (...args: Parameters<typeof boundAssertion>) => assertions.push(boundAssertion(...args));
  if (thresholds.maxLagOffsets !== undefined) {
    bound(
      "max consumer lag (offsets)",
      "≤",
      thresholds.maxLagOffsets,
      observed.maxLagOffsets,
      "offsets",
      formatCount,
      observed.maxLagOffsets === null ? NO_LAG_READ : undefined,
    );
  }
  if (thresholds.maxLagSeconds !== undefined) {
    bound(
      "max consumer lag (seconds)",
      "≤",
      thresholds.maxLagSeconds,
      observed.maxLagSeconds,
      "s",
      formatSeconds,
      observed.maxLagSeconds === null ? NO_LAG_READ : undefined,
    );
  }
  if (thresholds.drainWithinMs !== undefined) {
    const drained = observed.drainMs;
    bound(
      "drain time after the load",
      "≤",
      thresholds.drainWithinMs,
      drained,
      "ms",
      formatMillis,
      drained === null ? "never drained" : undefined,
    );
  }
  if (thresholds.minAchievedRateShare !== undefined) {
    const share = observed.targetPerSec > 0 ? observed.achievedPerSec / observed.targetPerSec : 1;
    bound(
      "achieved rate ÷ target",
      "≥",
      thresholds.minAchievedRateShare,
      share,
      "share",
      formatPercent,
      `${formatPercent(share)} (${formatRate(observed.achievedPerSec)} of ${formatRate(observed.targetPerSec)})`,
    );
  }
  if (thresholds.minAchievedRate !== undefined) {
    bound("achieved rate", "≥", thresholds.minAchievedRate, observed.achievedPerSec, "events/s", formatRate);
  }
  if (thresholds.maxP99LatencyMs !== undefined) {
    bound(
      "end-to-end latency p99",
      "≤",
      thresholds.maxP99LatencyMs,
      observed.p99Ms,
      "ms",
      formatMillis,
      observed.p99Ms === null ? "not measured: no window was committed" : undefined,
    );
  }
  if (thresholds.exact) assertions.push(...exactAssertions(observed));
  return assertions;
}

/** A figure held to a limit from one side; `text` writes the observed value when its number says too little. */
function boundAssertion(
  name: string,
  relation: "≤" | "≥",
  limit: number,
  value: number | null,
  unit: string,
  format: (n: number) => string,
  text?: string,
): Assertion {
  return {
    name,
    relation,
    expectedValue: limit,
    observedValue: value,
    unit,
    expected: `${relation} ${format(limit)}`,
    observed: text ?? (value === null ? "—" : format(value)),
    pass: value !== null && (relation === "≤" ? value <= limit : value >= limit),
  };
}

/** Nothing lost and nothing counted twice. */
function exactAssertions(observed: ObservedFigures): Assertion[] {
  return (
    [
      ["events lost", observed.lost],
      ["events counted twice", observed.duplicated],
    ] as const
  ).map(([name, value]) => ({
    name,
    relation: "=",
    expectedValue: 0,
    observedValue: value,
    unit: "events",
    expected: "0",
    observed: formatCount(value),
    pass: value === 0,
  }));
}
