import type { Assertion, MemoryFigures, MemoryGrowth, MemorySeries } from "../result/types.ts";

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
}

/** The lab's own process. */
export function ownMemory(): MemoryReading {
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

/** Reads an aggregator's memory from its /metrics, within `timeoutMs`. */
export async function scrapeMemory(address: string, timeoutMs: number): Promise<MemoryReading> {
  const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`http://${address}/metrics answered HTTP ${response.status}`);
  return parseProcessMemory(await response.text());
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

/** Samples needed before a slope means anything. */
const MIN_SAMPLES = 30;

/**
 * Growth of resident memory in MB per hour: the slope of a least-squares line through the samples from
 * `steadyFromS` on. The warm-up before it (JIT, buffers, the first windows) grows memory once and is left
 * out, or a short run would read as a leak.
 */
export function memoryGrowth(t: number[], rssMB: (number | null)[], steadyFromS: number): MemoryGrowth {
  const points = t.flatMap((s, i) => {
    const y = rssMB[i];
    return s >= steadyFromS && y !== null && y !== undefined ? [[s, y] as const] : [];
  });
  const firstRssMB = points[0]?.[1] ?? null;
  const lastRssMB = points.at(-1)?.[1] ?? null;
  if (points.length < MIN_SAMPLES) {
    return {
      rssGrowthMBPerHour: null,
      reason: `${points.length} sample(s) after ${steadyFromS} s; at least ${MIN_SAMPLES} are needed`,
      firstRssMB,
      lastRssMB,
      samples: points.length,
    };
  }
  const n = points.length;
  const meanX = points.reduce((a, [x]) => a + x, 0) / n;
  const meanY = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  return {
    rssGrowthMBPerHour: round((sxy / sxx) * 3600),
    firstRssMB,
    lastRssMB,
    samples: n,
  };
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
      Object.entries(memory).map(([name, series]) => [name, memoryGrowth(t, series.rssMB, steadyFromS)]),
    ),
  };
}

/** One assertion per process: its growth within `maxMBPerHour`, and a failure when it cannot be measured. */
export function memoryAssertions(figures: MemoryFigures, maxMBPerHour: number): Assertion[] {
  return Object.entries(figures.byProcess).map(([name, growth]) => ({
    name: `memory growth of ${name}`,
    expected: `≤ ${maxMBPerHour} MB/h`,
    observed:
      growth.rssGrowthMBPerHour === null
        ? "not measured"
        : `${growth.rssGrowthMBPerHour} MB/h (${growth.firstRssMB} → ${growth.lastRssMB} MB)`,
    pass: growth.rssGrowthMBPerHour !== null && growth.rssGrowthMBPerHour <= maxMBPerHour,
    ...(growth.reason ? { detail: growth.reason } : {}),
  }));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
