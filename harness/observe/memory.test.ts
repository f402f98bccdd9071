import { describe, expect, it } from "vitest";
import { memoryAssertions, memoryFigures, memoryGrowth, parseProcessMemory, pushMemory } from "./memory.ts";
import type { MemorySeries } from "./types.ts";

describe("parseProcessMemory", () => {
  it("reads prom-client's process and heap gauges", () => {
    const text = [
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      "process_resident_memory_bytes 150994944",
      "nodejs_heap_size_used_bytes 41943040",
      "nodejs_heap_size_used_bytes_other 1",
    ].join("\n");
    expect(parseProcessMemory(text)).toEqual({ rssBytes: 150_994_944, heapUsedBytes: 41_943_040 });
  });

  it("says which metric is missing", () => {
    expect(() => parseProcessMemory("process_resident_memory_bytes 1\n")).toThrow(
      "/metrics has no nodejs_heap_size_used_bytes",
    );
  });
});

describe("memoryGrowth", () => {
  const t = Array.from({ length: 600 }, (_, i) => i);

  it("fits MB per hour over the steady part, leaving the warm-up out", () => {
    // 200 MB climbing to 300 in the first 60 s, then 1 MB a minute: 60 MB/h.
    const rss = t.map((s) => (s < 60 ? 200 + (100 * s) / 60 : 300 + (s - 60) / 60));
    const growth = memoryGrowth(t, rss, 60);
    expect(growth.rssGrowthMBPerHour).toBeCloseTo(60, 0);
    expect(growth.samples).toBe(540);
    expect(growth.firstRssMB).toBe(300);
  });

  it("reads a garbage-collector sawtooth over a flat floor as flat", () => {
    // 60 MB of garbage built up and swept every 25 s: a line through every sample would slope.
    const rss = t.map((s) => 200 + ((s % 25) / 25) * 60);
    expect(Math.abs(memoryGrowth(t, rss, 60).rssGrowthMBPerHour ?? Number.NaN)).toBeLessThan(1);
  });

  it("reads a flat process as flat, through noise and gaps", () => {
    const rss = t.map((s) => (s % 17 === 0 ? null : 180 + ((s * 7) % 5)));
    expect(Math.abs(memoryGrowth(t, rss, 60).rssGrowthMBPerHour ?? Number.NaN)).toBeLessThan(5);
  });

  it("has no figure, with the reason, when too few samples were taken", () => {
    const growth = memoryGrowth([0, 1, 2], [1, 2, 3], 0);
    expect(growth.rssGrowthMBPerHour).toBeNull();
    expect(growth.reason).toBe("3 sample(s) after 0 s span 0 full minute(s); at least 3 are needed");
  });
});

describe("memory series and assertions", () => {
  it("pads a process first seen late with nulls, so every array keeps the length of t", () => {
    const memory: Record<string, MemorySeries> = {};
    pushMemory(memory, "lab", 1, { rssBytes: 200 * 2 ** 20, heapUsedBytes: 50 * 2 ** 20 });
    pushMemory(memory, "lab", 2, null);
    pushMemory(memory, "consumer-1", 3, { rssBytes: 150 * 2 ** 20, heapUsedBytes: 40 * 2 ** 20 });
    expect(memory.lab).toEqual({ rssMB: [200, null], heapUsedMB: [50, null] });
    expect(memory["consumer-1"]).toEqual({ rssMB: [null, null, 150], heapUsedMB: [null, null, 40] });
  });

  it("fails a process whose kept heap grows beyond the threshold, and one that could not be measured", () => {
    const t = Array.from({ length: 400 }, (_, i) => i);
    const figures = memoryFigures(
      t,
      {
        // A leak: the heap's floor climbs 1 MB a second.
        lab: { rssMB: t.map((s) => 200 + s), heapUsedMB: t.map((s) => 50 + s + (s % 7) * 3) },
        // The collector's heap size settling: RSS climbs, but what survives collections does not.
        "consumer-0": { rssMB: t.map((s) => 150 + s / 10), heapUsedMB: t.map((s) => 40 + (s % 20)) },
        "consumer-1": { rssMB: t.map(() => null), heapUsedMB: t.map(() => null) },
      },
      400,
    );
    expect(figures.steadyFromS).toBe(80);
    const verdicts = memoryAssertions(figures, 100).map((a) => [a.name, a.pass, a.observed]);
    expect(verdicts).toEqual([
      ["memory kept by lab", false, "heap 3617.7 MB/h; RSS 3600 MB/h (280 → 599 MB)"],
      ["memory kept by consumer-0", true, "heap 0 MB/h; RSS 360 MB/h (158 → 189.9 MB)"],
      ["memory kept by consumer-1", false, "not measured"],
    ]);
  });
});
