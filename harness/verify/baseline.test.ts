import { describe, expect, it } from "vitest";
import { renderJson } from "../report/json.ts";
import type { RunResult } from "../result/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { baselineLimit, baselinePath, compareWithBaseline, LAG_FLOOR_SECONDS } from "./baseline.ts";

const base = sampleResult();

function withFigures(rate: number, p99: number, lagSeconds: number | null): RunResult {
  return sampleResult({
    throughput: { ...base.throughput, achievedPerSec: rate },
    latency: { ...base.latency, p99 },
    lag: { ...base.lag, maxSeconds: lagSeconds },
  });
}

function byMetric(current: RunResult, baseline: RunResult = withFigures(1_000, 2_000, 10)) {
  return Object.fromEntries(compareWithBaseline(current, baseline).map((c) => [c.metric, c]));
}

describe("compareWithBaseline", () => {
  it("flags a 30 % drop of the achieved rate and lets a 5 % drop pass", () => {
    expect(byMetric(withFigures(700, 2_000, 10))["achieved rate (events/s)"]).toMatchObject({
      baseline: 1_000,
      current: 700,
      tolerance: 0.2,
      better: "higher",
      pass: false,
    });
    expect(byMetric(withFigures(950, 2_000, 10))["achieved rate (events/s)"]?.pass).toBe(true);
  });

  it("flags latency p99 and lag that rose beyond 50 %, and passes when they fell", () => {
    const worse = byMetric(withFigures(1_000, 3_200, 16));
    expect(worse["e2e latency p99 (ms)"]?.pass).toBe(false);
    expect(worse["max lag (s)"]?.pass).toBe(false);
    const better = byMetric(withFigures(1_000, 1_000, 1));
    expect(better["e2e latency p99 (ms)"]?.pass).toBe(true);
    expect(better["max lag (s)"]?.pass).toBe(true);
  });

  it("does not flag a tiny lag that grew in relative terms but stays under the floor", () => {
    const tinyBaseline = withFigures(1_000, 2_000, 0.1);
    const lag = (s: number) => byMetric(withFigures(1_000, 2_000, s), tinyBaseline)["max lag (s)"];
    expect(lag(0.4)?.pass).toBe(true);
    expect(lag(LAG_FLOOR_SECONDS)?.pass).toBe(true);
    expect(lag(LAG_FLOOR_SECONDS + 0.5)?.pass).toBe(false);
  });

  it("fails a comparison that either run could not measure, with no limit", () => {
    const unread = byMetric(withFigures(1_000, 2_000, null))["max lag (s)"];
    expect(unread).toMatchObject({ baseline: 10, current: null, pass: false });
    expect(unread?.limit).toBeUndefined();
    const unreadBaseline = withFigures(1_000, 2_000, null);
    const baselineUnread = byMetric(withFigures(1_000, 2_000, 1), unreadBaseline)["max lag (s)"];
    expect(baselineUnread).toMatchObject({ baseline: null, current: 1, pass: false });
    expect(baselineUnread && baselineLimit(baselineUnread)).toBeNull();
  });

  it("does not read an empty latency histogram's p99 of 0 as a latency", () => {
    const none = sampleResult({ latency: { ...base.latency, count: 0, p99: 0 } });
    expect(byMetric(none)["e2e latency p99 (ms)"]).toMatchObject({ current: null, pass: false });
  });

  it("takes tolerances from the caller", () => {
    const strict = compareWithBaseline(withFigures(950, 2_000, 10), withFigures(1_000, 2_000, 10), {
      rate: 0.01,
    });
    expect(strict[0]).toMatchObject({ tolerance: 0.01, pass: false });
  });

  it("reports the limit that was applied", () => {
    const [rate, p99, lag] = compareWithBaseline(withFigures(1, 1, 1), withFigures(1_000, 2_000, 0.1));
    expect(rate && baselineLimit(rate)).toBe(800);
    expect(p99 && baselineLimit(p99)).toBe(3_000);
    expect(lag && baselineLimit(lag)).toBe(LAG_FLOOR_SECONDS);
  });
});

describe("baselinePath", () => {
  it("puts baselines under <root>/baselines/<scenario>.json", () => {
    expect(baselinePath("steady")).toBe("reports/baselines/steady.json");
    expect(baselinePath("steady", "/tmp/r")).toBe("/tmp/r/baselines/steady.json");
  });
});

describe("the limit in the result", () => {
  it("keeps each comparison's limit, so report.json carries it", () => {
    const comparisons = compareWithBaseline(withFigures(1, 1, 1), withFigures(1_000, 2_000, 0.1));
    expect(comparisons.map((c) => c.limit)).toEqual([800, 3_000, LAG_FLOOR_SECONDS]);
    for (const c of comparisons) expect(c.limit).toBe(baselineLimit(c));
    const json = JSON.parse(renderJson(sampleResult({ baseline: { file: "b.json", comparisons } })));
    expect(json.baseline.comparisons[0]).toMatchObject({ metric: "achieved rate (events/s)", limit: 800 });
  });
});
