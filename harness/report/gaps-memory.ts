import type { RunResult, SeriesGap } from "../result/types.ts";

/** The banner word of each verdict. */
export const VERDICT_LABEL: Record<RunResult["verdict"], string> = {
  pass: "PASS",
  fail: "FAIL",
  interrupted: "INTERRUPTED",
};

export function describeGap(gap: SeriesGap): string {
  const when =
    gap.fromS === gap.toS ? `at ${gap.fromS} s` : `${gap.fromS}–${gap.toS} s (${gap.samples} samples)`;
  return `${gap.what} not measured ${when}: ${gap.reason}`;
}

/** One row per process: name, growth in MB/h over the steady part (or why there is none), first and last RSS. */
export function memoryRows(result: RunResult): string[][] {
  const memory = result.memory;
  if (!memory) return [];
  return Object.entries(memory.byProcess).map(([name, g]) => [
    name,
    g.rssGrowthMBPerHour === null ? `not measured: ${g.reason ?? ""}` : `${g.rssGrowthMBPerHour} MB/h`,
    g.firstRssMB === null ? "–" : `${g.firstRssMB} MB`,
    g.lastRssMB === null ? "–" : `${g.lastRssMB} MB`,
  ]);
}

export const MEMORY_HEADERS = ["Process", "RSS growth", "RSS at steady start", "RSS at end"];
