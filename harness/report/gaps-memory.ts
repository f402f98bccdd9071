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

/** One row per process: name, heap and RSS growth in MB/h over the steady part (or why not), first and last RSS. */
export function memoryRows(result: RunResult): string[][] {
  const memory = result.memory;
  if (!memory) return [];
  const perHour = (value: number | null, reason: string | undefined) =>
    value === null ? `not measured: ${reason ?? ""}` : `${value} MB/h`;
  return Object.entries(memory.byProcess).map(([name, g]) => [
    name,
    perHour(g.heapGrowthMBPerHour, g.reason),
    perHour(g.rssGrowthMBPerHour, g.reason),
    g.firstRssMB === null ? "–" : `${g.firstRssMB} MB`,
    g.lastRssMB === null ? "–" : `${g.lastRssMB} MB`,
  ]);
}

export const MEMORY_HEADERS = [
  "Process",
  "Heap kept, growth",
  "RSS growth",
  "RSS at steady start",
  "RSS at end",
];
