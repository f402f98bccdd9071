import { formatCount, formatMs, formatSeconds } from "../core/format.ts";
import type { RunResult, UrpRecovery } from "../result/types.ts";

/** One row per broker outage in every report: the under-replicated partitions' peak and time back to 0. */
export const URP_HEADERS = [
  "Broker",
  "Faults",
  "Down at",
  "Back at",
  "Peak URP",
  "URP back to 0",
  "p99 latency: peak (10 s before)",
  "Send delay p99 peak",
];

export function urpCells(row: UrpRecovery): string[] {
  return [
    `broker ${row.brokerId}`,
    row.actions,
    formatSeconds(row.downAtS),
    row.upAtS === null ? "never" : formatSeconds(row.upAtS),
    row.peakUrp === null ? "not measured" : formatCount(row.peakUrp),
    row.timeToZeroMs === null
      ? `not measured: ${row.reason ?? ""}`
      : `${formatMs(row.timeToZeroMs)} after its return${row.measuredBy === "metadata" ? " (every ISR full, asked of the brokers)" : ""}`,
    `${formatMs(row.peakLatencyP99Ms)} (${formatMs(row.latencyP99BeforeMs)})`,
    formatMs(row.peakSendDelayP99Ms),
  ];
}

export function urpRows(result: RunResult): string[][] {
  return (result.urpRecovery ?? []).map(urpCells);
}
