/** The formatted pieces of a run that summary.md and report.html both show, so the two always agree. */

import { formatDuration } from "../core/clock.ts";
import type { BaselineComparison, FaultRecord, RunResult } from "../result/types.ts";
import { baselineLimit } from "./baseline.ts";
import { formatCount, formatMs, formatNumber, formatPercent, formatRate, formatSeconds } from "./format.ts";

export interface Figure {
  label: string;
  value: string;
}

/** The headline figures of a run, in the order both reports show them. */
export function keyFigures(result: RunResult): Figure[] {
  const { throughput, latency, lag } = result;
  // The two rates divide by different spans (the aggregates of the last window land during the drain),
  // so each says its span: otherwise a run that aggregated everything looks as if it fell behind.
  return [
    { label: "Target rate", value: formatRate(throughput.targetPerSec) },
    {
      label: "Achieved rate (acked, over the load)",
      value: `${formatRate(throughput.achievedPerSec)}${throughput.generatorBehind ? " (generator fell behind)" : ""}`,
    },
    { label: "Aggregated rate (over load + drain)", value: formatRate(throughput.aggregatedPerSec) },
    { label: "Send delay p99", value: formatMs(throughput.sendDelayMs.p99) },
    { label: "E2E latency p50", value: formatMs(latency.p50) },
    { label: "E2E latency p99", value: formatMs(latency.p99) },
    { label: "E2E latency p99.9", value: formatMs(latency.p999) },
    { label: "E2E latency max", value: formatMs(latency.max) },
    { label: "Max lag", value: `${formatCount(lag.maxOffsets)} offsets / ${formatSeconds(lag.maxSeconds)}` },
    { label: "Drain time", value: lag.drainMs === null ? "never drained" : formatMs(lag.drainMs) },
    { label: "Final lag status", value: lag.finalStatus },
  ];
}

export function describeConfig(result: RunResult): string {
  const c = result.config;
  return [
    `seed ${c.seed}`,
    `load ${c.profile.description}`,
    `duration ${formatDuration(c.durationMs)}`,
    `${c.brokers} broker${c.brokers === 1 ? "" : "s"} (${c.kraft ? "KRaft" : "ZooKeeper"}, ${c.provider})`,
    `${c.partitions} partitions`,
    `${c.consumers} consumer${c.consumers === 1 ? "" : "s"}`,
    `window ${formatDuration(c.windowMs)}`,
    `malformed ${formatPercent(c.malformed)}`,
  ].join(" · ");
}

export function describeEnvironment(result: RunResult): string {
  const e = result.environment;
  return [
    e.hostname,
    e.os,
    `${e.cpus} × ${e.cpuModel}`,
    `${formatNumber(e.memoryGiB)} GiB`,
    `Node ${e.node}`,
    `Kafka ${e.kafkaVersion}`,
    `${e.startedAt} → ${e.finishedAt}`,
  ].join(" · ");
}

export function describeFault(fault: FaultRecord): string {
  const extra = [
    fault.pid === undefined ? "" : `pid ${fault.pid}`,
    fault.signal ?? "",
    fault.note ?? "",
  ].filter(Boolean);
  const at = formatSeconds(fault.atMs / 1_000);
  return `${at}: ${fault.action} ${fault.target}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`;
}

/** "≥ 800" or "≤ 3,000": the limit the comparison applied, with the baseline and tolerance it came from. */
export function baselineExpectation(comparison: BaselineComparison): string {
  const sign = comparison.better === "higher" ? "−" : "+";
  const bound = comparison.better === "higher" ? "≥" : "≤";
  return `${bound} ${formatNumber(baselineLimit(comparison))} (baseline ${formatNumber(comparison.baseline)} ${sign}${formatPercent(comparison.tolerance)})`;
}
