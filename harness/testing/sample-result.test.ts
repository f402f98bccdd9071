import { describe, expect, it } from "vitest";
import type { Counts } from "../result/types.ts";
import { sampleResult } from "./sample-result.ts";

/** The report and figure tests trust this fixture to be a run that could have happened: these hold it to that. */

const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function expectConsistent(counts: Counts): void {
  expect(counts.valid + counts.invalid).toBe(counts.total);
  expect(sum(counts.byDeviceType)).toBe(counts.valid);
  expect(sum(counts.byLocale)).toBe(counts.valid);
  expect(sum(counts.byAppVersion)).toBe(counts.valid);
  expect(sum(counts.invalidByReason)).toBe(counts.invalid);
}

describe("sampleResult", () => {
  it("is the same result every time", () => {
    expect(sampleResult()).toEqual(sampleResult());
  });

  it("has ledger, recount and aggregates that add up and agree, one locale per US state", () => {
    const result = sampleResult();
    expectConsistent(result.ledger);
    expectConsistent(result.recount);
    expect(result.recount).toEqual(result.ledger);
    expect(result.ledger.byLocale.size).toBe(50);
    expect(result.aggregates.total).toBe(result.ledger.valid);
    expect(result.aggregates.invalid).toBe(result.ledger.invalid);
    expect(result.aggregates.byLocale).toEqual(result.ledger.byLocale);
  });

  it("has one value per second in every series, over the configured duration", () => {
    const { series, config } = sampleResult();
    expect(series.t).toHaveLength(config.durationMs / 1_000);
    for (const [name, values] of Object.entries(series)) {
      if (Array.isArray(values)) expect(values, name).toHaveLength(series.t.length);
      else
        for (const [p, byPartition] of Object.entries(values ?? {}))
          expect(byPartition, `${name} ${p}`).toHaveLength(series.t.length);
    }
  });

  it("shows the broker fault it records: nothing aggregated and partitions under-replicated while it is down", () => {
    const { faults, series } = sampleResult();
    expect(faults.map((f) => [f.action, f.atMs])).toEqual([
      ["kill", 30_000],
      ["restart", 40_000],
    ]);
    const down = series.t.filter((s) => (series.underReplicatedPartitions?.[s] ?? 0) > 0);
    expect(down).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));
    for (const s of down) expect(series.aggregatedRate[s]).toBe(0);
  });

  it("passes with every assertion passing, and fails by the latency assertion alone when asked", () => {
    const passing = sampleResult();
    expect(passing.verdict).toBe("pass");
    expect(passing.assertions.every((a) => a.pass)).toBe(true);
    const failing = sampleResult({}, { failAssertion: true });
    expect(failing.verdict).toBe("fail");
    expect(failing.assertions.filter((a) => !a.pass).map((a) => a.name)).toEqual(["e2e latency p99"]);
    expect(failing.config.thresholds.latencyP99Ms).toBe(5_000);
  });

  it("takes the caller's fields over its own", () => {
    const result = sampleResult({ verdict: "interrupted", faults: [] });
    expect(result.verdict).toBe("interrupted");
    expect(result.faults).toEqual([]);
  });
});
