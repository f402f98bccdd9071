import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { UsageError } from "../core/errors.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { summariseAnalytics } from "../verify/analytics-ranges.ts";
import { countAssertions } from "../verify/count-assertions.ts";
import { readReport, renderJson } from "./json.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "report-json-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("renderJson", () => {
  it("round-trips through readReport unchanged", async () => {
    const result = sampleResult(
      { baseline: { file: "reports/baselines/broker-kill.json", comparisons: [] } },
      { failAssertion: true },
    );
    const path = await write("report.json", renderJson(result));
    expect(await readReport(path)).toEqual(result);
  });

  it("orders top-level keys as the RunResult type does, whatever order the result was built in", () => {
    const { series, schemaVersion, ...rest } = sampleResult();
    const keys = Object.keys(JSON.parse(renderJson({ series, ...rest, schemaVersion })));
    expect(keys.slice(0, 5)).toEqual(["schemaVersion", "scenario", "config", "environment", "verdict"]);
    expect(keys.indexOf("series")).toBe(keys.indexOf("lag") + 1);
    expect(keys.at(-1)).toBe("links");
    expect(keys).not.toContain("rateSearch");
  });

  it("keeps a key the order does not know, after the known ones", () => {
    const keys = Object.keys(JSON.parse(renderJson({ extra: 1, ...sampleResult() } as never)));
    expect(keys.at(-1)).toBe("extra");
  });

  it("keeps each series on one line", () => {
    const lines = renderJson(sampleResult()).split("\n");
    const t = lines.find((l) => l.trimStart().startsWith('"t":'));
    expect(t?.trim()).toBe(`"t": [${Array.from({ length: 60 }, (_, i) => i).join(",")}],`);
    expect(lines.length).toBeLessThan(400);
  });
});

describe("labels spelt like an object's own properties", () => {
  const ODD = ["constructor", "__proto__", "toString", "hasOwnProperty"];

  /** The analytics record a correct pipeline publishes for `logins`, built as JSON the way it is read. */
  function analyticsFor(logins: string[]): AnalyticsRecord {
    const counts = `{${[...new Set(logins)].map((l) => `"${l}":${logins.filter((x) => x === l).length}`).join(",")}}`;
    return JSON.parse(`{
      "schema_version": 1, "window_start": "2023-09-12T00:45:40.000Z", "window_end": "2023-09-12T00:46:00.000Z",
      "total": ${logins.length}, "by_device_type": ${counts}, "by_locale": ${counts}, "by_app_version": ${counts},
      "invalid": 0, "invalid_by_reason": {}, "event_time": { "min_sec": 1, "max_sec": 1 },
      "source": { "topic": "user-login", "partition": 0, "from_offset": "0", "to_offset": "${logins.length - 1}" },
      "aggregator": { "instance_id": "a", "emitted_at": "2023-09-12T00:46:01.000Z" }
    }`);
  }

  it("are ordinary values through the comparison and report.json", async () => {
    const logins = [...ODD, "__proto__", "CA"];
    const recount = new CountsBuilder();
    for (const label of logins) {
      recount.add(
        Buffer.from(
          JSON.stringify({
            user_id: "u",
            timestamp: 1,
            device_type: label,
            locale: label,
            app_version: label,
          }),
        ),
      );
    }
    const counts = recount.build();
    const analytics = summariseAnalytics([analyticsFor(logins)]);
    const aggregates = { ...analytics, dlqRecords: 0 };
    const assertions = countAssertions(counts, counts, aggregates);
    expect(assertions.filter((a) => !a.pass)).toEqual([]);
    expect(counts.byLocale.get("__proto__")).toBe(2);

    const result = sampleResult({ ledger: counts, recount: counts, aggregates, assertions });
    const text = renderJson(result);
    const json = JSON.parse(text);
    expect(Object.entries(json.recount.byLocale)).toEqual([
      ["CA", 1],
      ["__proto__", 2],
      ["constructor", 1],
      ["hasOwnProperty", 1],
      ["toString", 1],
    ]);
    const byLocale = json.assertions.find(
      (a: { name: string }) => a.name === "aggregates by locale = recount",
    );
    expect(Object.entries(byLocale.observedValue)).toEqual(Object.entries(json.recount.byLocale));

    const back = await readReport(await write("odd.json", text));
    expect(back.aggregates.byDeviceType).toEqual(counts.byDeviceType);
    expect(back.recount.byLocale.get("__proto__")).toBe(2);
  });
});

describe("readReport", () => {
  it("reads a version 1 report as a baseline, counts and all", async () => {
    const baseline = await readReport("reports/baselines/baseline.json");
    expect(baseline.schemaVersion).toBe(1);
    expect(baseline.throughput.achievedPerSec).toBeGreaterThan(0);
    expect(baseline.recount.byLocale).toBeInstanceOf(Map);
    expect(baseline.recount.byLocale.size).toBe(50);
  });

  it("names the file when it does not exist", async () => {
    const path = join(dir, "missing.json");
    const error = await readReport(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`cannot read report ${path}: no such file`);
  });

  it("rejects a file that is not JSON", async () => {
    const path = await write("bad.json", "{ not json");
    await expect(readReport(path)).rejects.toThrow(/report .*bad\.json is not JSON/);
  });

  it("rejects another schema version", async () => {
    const path = await write("old.json", JSON.stringify({ ...sampleResult(), schemaVersion: 0 }));
    await expect(readReport(path)).rejects.toThrow(
      /old\.json has schemaVersion 0; this lab reads versions 1 and 2/,
    );
  });

  it("lists every missing top-level key and unreadable figure", async () => {
    const { ledger: _ledger, series: _series, ...rest } = sampleResult();
    const path = await write("partial.json", JSON.stringify({ ...rest, latency: { p50: 1 } }));
    const error = await readReport(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain("partial.json is not a lab report");
    expect(message).toMatch(/ledger: /);
    expect(message).toMatch(/series: /);
    expect(message).toMatch(/latency\.p99: /);
  });
});
