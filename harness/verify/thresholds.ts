import { formatCount, formatPercent, formatRate, formatSeconds } from "../report/format.ts";
import type { Assertion } from "../result/types.ts";
import type { Thresholds } from "../scenario/types.ts";

/** The run's figures that thresholds are judged on. */
export interface ObservedFigures {
  maxLagOffsets: number;
  maxLagSeconds: number;
  /** Null when lag never reached zero after the load. */
  drainMs: number | null;
  targetPerSec: number;
  achievedPerSec: number;
  p99Ms: number;
  lost: number;
  duplicated: number;
}

/** Whole milliseconds, so that a figure just over its limit never reads the same as the limit. */
function formatMillis(ms: number): string {
  return `${formatCount(ms)} ms`;
}

/** One assertion per threshold the scenario sets, with expected and observed written for a person. */
export function evaluateThresholds(thresholds: Thresholds, observed: ObservedFigures): Assertion[] {
  const assertions: Assertion[] = [];
  const atMost = (name: string, limit: number, value: number, format: (n: number) => string) => {
    assertions.push({ name, expected: `≤ ${format(limit)}`, observed: format(value), pass: value <= limit });
  };

  if (thresholds.maxLagOffsets !== undefined) {
    atMost("max consumer lag (offsets)", thresholds.maxLagOffsets, observed.maxLagOffsets, formatCount);
  }
  if (thresholds.maxLagSeconds !== undefined) {
    atMost("max consumer lag (seconds)", thresholds.maxLagSeconds, observed.maxLagSeconds, formatSeconds);
  }
  if (thresholds.drainWithinMs !== undefined) {
    const drained = observed.drainMs;
    assertions.push({
      name: "drain time after the load",
      expected: `≤ ${formatMillis(thresholds.drainWithinMs)}`,
      observed: drained === null ? "never drained" : formatMillis(drained),
      pass: drained !== null && drained <= thresholds.drainWithinMs,
    });
  }
  if (thresholds.minAchievedRateShare !== undefined) {
    const share = observed.targetPerSec > 0 ? observed.achievedPerSec / observed.targetPerSec : 1;
    assertions.push({
      name: "achieved rate ÷ target",
      expected: `≥ ${formatPercent(thresholds.minAchievedRateShare)}`,
      observed: `${formatPercent(share)} (${formatRate(observed.achievedPerSec)} of ${formatRate(observed.targetPerSec)})`,
      pass: share >= thresholds.minAchievedRateShare,
    });
  }
  if (thresholds.minAchievedRate !== undefined) {
    assertions.push({
      name: "achieved rate",
      expected: `≥ ${formatRate(thresholds.minAchievedRate)}`,
      observed: formatRate(observed.achievedPerSec),
      pass: observed.achievedPerSec >= thresholds.minAchievedRate,
    });
  }
  if (thresholds.maxP99LatencyMs !== undefined) {
    atMost("end-to-end latency p99", thresholds.maxP99LatencyMs, observed.p99Ms, formatMillis);
  }
  if (thresholds.exact) {
    for (const [name, value] of [
      ["events lost", observed.lost],
      ["events counted twice", observed.duplicated],
    ] as const) {
      assertions.push({ name, expected: "0", observed: formatCount(value), pass: value === 0 });
    }
  }
  return assertions;
}
