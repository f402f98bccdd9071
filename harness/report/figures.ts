/** The formatted pieces of a run that summary.md and report.html both show, so the two always agree. */

import { formatDuration } from "../core/clock.ts";
import {
  formatCount,
  formatMeasured,
  formatMs,
  formatNumber,
  formatPercent,
  formatRate,
  formatSeconds,
} from "../core/format.ts";
import type { BaselineComparison, FaultRecord, Percentiles, RunResult } from "../result/types.ts";
import { baselineLimit } from "../verify/baseline.ts";

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
    { label: "Send delay p99", value: measuredMs(throughput.sendDelayMs, "p99") },
    { label: "E2E latency p50", value: measuredMs(latency, "p50") },
    { label: "E2E latency p99", value: measuredMs(latency, "p99") },
    { label: "E2E latency p99.9", value: measuredMs(latency, "p999") },
    { label: "E2E latency max", value: measuredMs(latency, "max") },
    {
      label: "Max lag",
      value: `${formatMeasured(lag.maxOffsets, (n) => `${formatCount(n)} offsets`)} / ${formatMeasured(lag.maxSeconds, formatSeconds)}`,
    },
    { label: "Drain time", value: lag.drainMs === null ? "never drained" : formatMs(lag.drainMs) },
    { label: "Final lag status", value: lag.finalStatus },
  ];
}

/** A percentile of an empty histogram is no figure: it reads "not measured", never 0 ms. */
function measuredMs(percentiles: Percentiles, which: "p50" | "p99" | "p999" | "max"): string {
  return percentiles.count === 0 ? "not measured" : formatMs(percentiles[which]);
}

/** For a run driven by a command of one's own: what drove it, and what its ledger is. */
export function describeDriver(result: RunResult): string | undefined {
  const { driver, driverCommand } = result.config;
  if (driver !== "external") return undefined;
  return `load driven by \`${driverCommand ?? ""}\` (--driver external): the ledger is the recount of the input topic over the run's offsets, so events lost before Kafka and send delay are not measured; end-to-end latency and lag in seconds start at each record's timestamp`;
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
    c.loadClient ? `driver on ${c.loadClient}` : "",
    c.aggregatorClient ? `aggregator on ${c.aggregatorClient}` : "",
    describeDriver(result) ?? "",
  ]
    .filter(Boolean)
    .join(" · ");
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
  const limit = comparison.limit ?? baselineLimit(comparison);
  if (limit === null) return "no limit: the baseline did not measure it";
  return `${bound} ${formatNumber(limit)} (baseline ${formatMeasured(comparison.baseline)} ${sign}${formatPercent(comparison.tolerance)})`;
}
