import { join } from "node:path";
import { formatDuration } from "../core/clock.ts";
import { describeLoad } from "../load/profile.ts";
import type { Scenario } from "../scenario/types.ts";
import type { BaselineComparison } from "./types.ts";

/** What a comparison reads of a run and of its baseline: a RunResult, or a report.json read back. */
export interface BaselineFigures {
  throughput: { achievedPerSec: number };
  latency: { p99: number; count: number };
  lag: { maxSeconds: number | null };
}

/** What says which experiment a baseline was: its scenario and the configuration it ran. */
export interface BaselineSetup {
  scenario: { name: string };
  config: {
    durationMs: number;
    profile: { description: string };
    partitions: number;
    consumers: number;
    brokers: number;
    windowMs: number;
  };
}

export interface BaselineTolerances {
  /** Relative drop of the achieved rate allowed; default 0.2. */
  rate?: number;
  /** Relative rise of the end-to-end latency p99 allowed; default 0.5. */
  p99?: number;
  /** Relative rise of the maximum lag in seconds allowed; default 0.5. */
  lag?: number;
}

/**
 * Lag in seconds is sampled once a second and the consumer commits a window at a time, so a maximum
 * lag of a couple of seconds is measurement noise: a lag at or below this never counts as a regression,
 * however small the baseline was (0.1 s → 0.4 s is not worth failing a build for).
 */
export const LAG_FLOOR_SECONDS = 2;

interface MetricDefinition {
  metric: string;
  better: BaselineComparison["better"];
  read: (result: BaselineFigures) => number | null;
  tolerance: (t: BaselineTolerances) => number;
  floor?: number;
}

const METRICS: MetricDefinition[] = [
  {
    metric: "achieved rate (events/s)",
    better: "higher",
    read: (r) => r.throughput.achievedPerSec,
    tolerance: (t) => t.rate ?? 0.2,
  },
  {
    metric: "e2e latency p99 (ms)",
    better: "lower",
    // An empty histogram's p99 reads 0: no window was committed, so there is no latency to compare.
    read: (r) => (r.latency.count === 0 ? null : r.latency.p99),
    tolerance: (t) => t.p99 ?? 0.5,
  },
  {
    metric: "max lag (s)",
    better: "lower",
    read: (r) => r.lag.maxSeconds,
    tolerance: (t) => t.lag ?? 0.5,
    floor: LAG_FLOOR_SECONDS,
  },
];

/**
 * The worst current value that still passes: the baseline minus the tolerance when higher is better,
 * plus the tolerance (never below the metric's absolute floor) when lower is better. Each comparison
 * keeps it as `limit`; the report writers work it out again only for a report written before that.
 */
export function baselineLimit(comparison: BaselineComparison): number | null {
  const { baseline, tolerance, better } = comparison;
  if (baseline === null) return null;
  if (better === "higher") return baseline * (1 - tolerance);
  const floor = METRICS.find((m) => m.metric === comparison.metric)?.floor ?? 0;
  return Math.max(baseline * (1 + tolerance), floor);
}

export function compareWithBaseline(
  current: BaselineFigures,
  baseline: BaselineFigures,
  tolerances: BaselineTolerances = {},
): BaselineComparison[] {
  return METRICS.map((m) => {
    const comparison: BaselineComparison = {
      metric: m.metric,
      baseline: m.read(baseline),
      current: m.read(current),
      tolerance: m.tolerance(tolerances),
      better: m.better,
      pass: false,
    };
    const limit = baselineLimit(comparison);
    const { current: value } = comparison;
    if (limit === null || value === null) return comparison;
    comparison.pass = m.better === "higher" ? value >= limit : value <= limit;
    return { ...comparison, limit };
  });
}

/** Where the committed baseline of a scenario lives. */
export function baselinePath(scenario: string, root = "reports"): string {
  return join(root, "baselines", `${scenario}.json`);
}

/**
 * What makes a baseline a different experiment from the run about to start: its scenario, load,
 * partitions, consumers, brokers or window. Each entry reads "what: this run, baseline". The duration and
 * the seed may differ: rates, latency and lag are comparable across them.
 */
export function baselineMismatches(scenario: Scenario, baseline: BaselineSetup): string[] {
  const b = baseline.config;
  const differences: [string, string, string][] = [
    ["scenario", scenario.name, baseline.scenario.name],
    // The load as the baseline's duration would describe it, so a ramp's length alone is no difference.
    ["load", describeLoad(scenario.load, b.durationMs), b.profile.description],
    ["partitions", String(scenario.topology.partitions), String(b.partitions)],
    ["consumers", String(scenario.topology.consumers), String(b.consumers)],
    ["brokers", String(scenario.topology.brokers), String(b.brokers)],
    ["window", formatDuration(scenario.windowMs), formatDuration(b.windowMs)],
  ];
  return differences
    .filter(([, now, then]) => now !== then)
    .map(([what, now, then]) => `${what}: ${now} in this run, ${then} in the baseline`);
}
