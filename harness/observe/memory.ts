import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Assertion } from "../core/assertion.ts";
import { slope } from "../core/stats.ts";
import type { MemoryFigures, MemoryGrowth, MemorySeries } from "./types.ts";

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
}

let fullCollection: (() => void) | undefined;

/**
 * The lab's own process. With `collectFirst`, a full garbage collection runs first (a few tens of ms), so
 * that the heap read is what the lab keeps, not garbage the collector has not swept yet: without it, the
 * old generation fills for minutes between major collections and its floor climbs as if it leaked.
 */
export function ownMemory(collectFirst = false): MemoryReading {
  if (collectFirst) {
    if (!fullCollection) {
      setFlagsFromString("--expose-gc");
      fullCollection = runInNewContext("gc") as () => void;
    }
    fullCollection();
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}

/** prom-client's default metrics, as every aggregator serves them on /metrics. */
export function parseProcessMemory(metricsText: string): MemoryReading {
  const value = (name: string) => {
    const line = metricsText.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    const number = line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
    if (!Number.isFinite(number)) throw new Error(`/metrics has no ${name}`);
    return number;
  };
  return {
    rssBytes: value("process_resident_memory_bytes"),
    heapUsedBytes: value("nodejs_heap_size_used_bytes"),
  };
}

/** An aggregator's /metrics, read within `timeoutMs`, for its memory and CPU. */
export async function scrapeMetrics(address: string, timeoutMs: number): Promise<string> {
  const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`http://${address}/metrics answered HTTP ${response.status}`);
  return response.text();
}

const MB = 1024 * 1024;

/** Appends one second's reading (or null) of `name`, padding a process first seen late with nulls. */
export function pushMemory(
  memory: Record<string, MemorySeries>,
  name: string,
  length: number,
  reading: MemoryReading | null,
): void {
  const series = memory[name] ?? { rssMB: [], heapUsedMB: [] };
  memory[name] = series;
  while (series.rssMB.length < length - 1) {
    series.rssMB.push(null);
    series.heapUsedMB.push(null);
  }
  series.rssMB.push(reading ? round(reading.rssBytes / MB) : null);
  series.heapUsedMB.push(reading ? round(reading.heapUsedBytes / MB) : null);
}

/** Seconds per floor: the lowest RSS of each such stretch is one point of the fit. */
const FLOOR_S = 60;
/** Floors needed before a slope means anything: 3 minutes of steady load. */
const MIN_FLOORS = 3;

/**
 * Growth of resident memory in MB per hour: the slope of a least-squares line through the floors of the
 * samples (the lowest of each minute) from `steadyFromS` on. Floors follow what stays after collections, not
 * the garbage-collector's sawtooth, which over a few minutes would read as hundreds of MB an hour; the
 * warm-up before `steadyFromS` (JIT, buffers, the first windows) grows memory once and is left out too.
 */
export function memoryGrowth(
  t: number[],
  rssMB: (number | null)[],
  steadyFromS: number,
  heapUsedMB: (number | null)[] = [],
): MemoryGrowth {
  const rss = growthPerHour(t, rssMB, steadyFromS);
  const heap = growthPerHour(t, heapUsedMB, steadyFromS);
  const steady = t.flatMap((s, i) => {
    const y = rssMB[i];
    return s >= steadyFromS && y !== null && y !== undefined ? [y] : [];
  });
  return {
    rssGrowthMBPerHour: rss.perHour,
    heapGrowthMBPerHour: heap.perHour,
    ...(rss.reason ? { reason: rss.reason } : heap.reason ? { reason: heap.reason } : {}),
    firstRssMB: steady[0] ?? null,
    lastRssMB: steady.at(-1) ?? null,
    samples: steady.length,
  };
}

function growthPerHour(
  t: number[],
  values: (number | null)[],
  steadyFromS: number,
): { perHour: number | null; reason?: string } {
  const points = t.flatMap((s, i) => {
    const y = values[i];
    return s >= steadyFromS && y !== null && y !== undefined ? [[s, y] as const] : [];
  });
  const floors = new Map<number, readonly [number, number]>();
  // A last minute cut short has a floor from a few samples, often high in the sawtooth: leave it out.
  const lastFull = Math.floor(((points.at(-1)?.[0] ?? 0) - steadyFromS + FLOOR_S / 2) / FLOOR_S);
  for (const [x, y] of points) {
    const bucket = Math.floor((x - steadyFromS) / FLOOR_S);
    if (bucket >= lastFull) continue;
    const floor = floors.get(bucket);
    if (!floor || y < floor[1]) floors.set(bucket, [x, y]);
  }
  if (floors.size < MIN_FLOORS) {
    return {
      perHour: null,
      reason: `${points.length} sample(s) after ${steadyFromS} s span ${floors.size} full minute(s); at least ${MIN_FLOORS} are needed`,
    };
  }
  return { perHour: round(slope([...floors.values()]) * 3600) };
}

/** The steady part starts after a fifth of the load, at most 2 minutes in. */
export function steadyStartS(loadS: number): number {
  return Math.round(Math.min(120, loadS / 5));
}

export function memoryFigures(
  t: number[],
  memory: Record<string, MemorySeries>,
  loadS: number,
): MemoryFigures {
  const steadyFromS = steadyStartS(loadS);
  return {
    steadyFromS,
    byProcess: Object.fromEntries(
      Object.entries(memory).map(([name, series]) => [
        name,
        memoryGrowth(t, series.rssMB, steadyFromS, series.heapUsedMB),
      ]),
    ),
  };
}

/**
 * One assertion per process: the growth of what it keeps (the heap's floor) within `maxMBPerHour`, and a
 * failure when it cannot be measured. The RSS growth is given beside it.
 */
export function memoryAssertions(figures: MemoryFigures, maxMBPerHour: number): Assertion[] {
  return Object.entries(figures.byProcess).map(([name, growth]) => ({
    name: `memory kept by ${name}`,
    relation: "≤" as const,
    expectedValue: maxMBPerHour,
    observedValue: growth.heapGrowthMBPerHour,
    unit: "MB/h",
    expected: `heap growth ≤ ${maxMBPerHour} MB/h`,
    observed:
      growth.heapGrowthMBPerHour === null
        ? "not measured"
        : `heap ${growth.heapGrowthMBPerHour} MB/h; RSS ${growth.rssGrowthMBPerHour} MB/h (${growth.firstRssMB} → ${growth.lastRssMB} MB)`,
    pass: growth.heapGrowthMBPerHour !== null && growth.heapGrowthMBPerHour <= maxMBPerHour,
    ...(growth.reason ? { detail: growth.reason } : {}),
  }));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
