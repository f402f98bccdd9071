/** What the faults did to the lag, as rows every report shows: throttles and rebalance pauses. */

import { formatCount, formatMs, formatNumber, formatRate } from "../core/format.ts";
import type { RunResult } from "../result/types.ts";

const orGap = (value: string | null) => value ?? "not measured";

export const THROTTLE_HEADERS = [
  "Throttle",
  "Lag growth",
  "Peak lag",
  "Drain after release",
  "WARN or worse",
  "OK again",
  "Not measured",
];

export function throttleRows(result: RunResult): string[][] {
  return (result.throttles ?? []).map((f) => [
    `${f.startS}–${f.endS} s`,
    f.growthOffsetsPerS === null
      ? orGap(null)
      : `${formatNumber(f.growthOffsetsPerS)} offsets/s, ${f.growthLagSecondsPerS === null ? "?" : formatNumber(f.growthLagSecondsPerS)} s of lag/s`,
    f.peakLagOffsets === null
      ? orGap(null)
      : `${formatCount(f.peakLagOffsets)} offsets / ${f.peakLagSeconds ?? "?"} s`,
    f.drainMs === null
      ? orGap(null)
      : `${formatMs(f.drainMs)} (to ${formatCount(f.levelBeforeOffsets)} offsets)`,
    f.warnAtS === null ? "never" : `${f.warnAtS} s`,
    f.okAgainAtS === null ? "never" : `${f.okAgainAtS} s`,
    f.gaps.map((g) => g.reason).join("; ") || "–",
  ]);
}

export function pauseHeaders(result: RunResult): string[] {
  const horizon = result.rebalancePauses?.[0]?.horizonS ?? 10;
  return [
    "At",
    "Change",
    "Lag before",
    `Peak lag in ${horizon} s after`,
    "Aggregated before",
    "Pause (quiet beyond usual)",
    "Not measured",
  ];
}

export function pauseRows(result: RunResult): string[][] {
  return (result.rebalancePauses ?? []).map((p) => [
    `${p.atS} s`,
    `${p.action} ${p.target}`,
    p.lagBeforeOffsets === null ? orGap(null) : formatCount(p.lagBeforeOffsets),
    p.peakLagAfterOffsets === null ? orGap(null) : formatCount(p.peakLagAfterOffsets),
    p.rateBefore === null ? orGap(null) : formatRate(p.rateBefore),
    p.pauseS === null ? orGap(null) : `${formatNumber(p.pauseS)} s`,
    p.gaps.join("; ") || "–",
  ]);
}
