import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { sampleResult } from "./fixture.ts";
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

describe("readReport", () => {
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
    await expect(readReport(path)).rejects.toThrow(/old\.json has schemaVersion 0; this lab reads version 1/);
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
