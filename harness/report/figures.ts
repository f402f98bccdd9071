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

/** One fault as a row of every report's faults table: when, what, to which process, and anything noted. */
export interface FaultRow {
  at: string;
  action: string;
  target: string;
  process: string;
  note: string;
}

export const FAULT_HEADER = ["At", "Action", "Target", "Process", "Note"];

export function faultRow(fault: FaultRecord): FaultRow {
  const hit = [
    fault.brokerId === undefined ? "" : `broker ${fault.brokerId}`,
    fault.consumerIndex === undefined ? "" : `consumer ${fault.consumerIndex}`,
    fault.pid === undefined ? "" : `pid ${fault.pid}`,
    fault.signal ?? "",
  ];
  const leader = fault.leaderOf
    ? `leader of ${fault.leaderOf.topic}/${fault.leaderOf.partition}${fault.brokerId === undefined ? "" : ` was broker ${fault.brokerId}`}`
    : "";
  return {
    at: formatSeconds(fault.atMs / 1_000),
    action: fault.action,
    target: fault.target,
    process: hit.filter(Boolean).join(", "),
    note: [fault.error === undefined ? "" : `not applied: ${fault.error}`, leader, fault.note ?? ""]
      .filter(Boolean)
      .join("; "),
  };
}

export function faultCells(row: FaultRow): string[] {
  return [row.at, row.action, row.target, row.process, row.note];
}

/** "≥ 800" or "≤ 3,000": the limit the comparison applied, with the baseline and tolerance it came from. */
export function baselineExpectation(comparison: BaselineComparison): string {
  const sign = comparison.better === "higher" ? "−" : "+";
  const bound = comparison.better === "higher" ? "≥" : "≤";
  return `${bound} ${formatNumber(baselineLimit(comparison))} (baseline ${formatNumber(comparison.baseline)} ${sign}${formatPercent(comparison.tolerance)})`;
}
