import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LabError } from "../core/errors.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { readReport } from "./json.ts";
import { defaultReportDir, writeReports } from "./write.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "report-write-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeReports", () => {
  it("creates the folder and writes the four reports of one result", async () => {
    const result = sampleResult({}, { failAssertion: true });
    const paths = await writeReports(result, join(dir, "a", "b"));
    expect(paths).toEqual({
      json: join(dir, "a", "b", "report.json"),
      markdown: join(dir, "a", "b", "summary.md"),
      html: join(dir, "a", "b", "report.html"),
      junit: join(dir, "a", "b", "junit.xml"),
    });
    expect(await readReport(paths.json)).toEqual(result);
    expect(await readFile(paths.markdown, "utf8")).toMatch(/^# ❌ FAIL: broker-kill/);
    expect(await readFile(paths.html, "utf8")).toContain('<header class="banner fail">');
    expect(await readFile(paths.junit, "utf8")).toContain('failures="1"');
  });
});

describe("defaultReportDir", () => {
  it("names the folder after the scenario and the UTC start time to the second", () => {
    expect(defaultReportDir("steady", "2026-11-25T17:30:00.123Z")).toBe(
      "reports/steady/2026-11-25T17-30-00Z",
    );
    expect(defaultReportDir("steady", new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), "/r")).toBe(
      "/r/steady/2026-01-02T03-04-05Z",
    );
  });

  it("keeps a scenario name from escaping the reports folder", () => {
    expect(defaultReportDir("../x/y", "2026-11-25T17:30:00Z")).toBe("reports/---x-y/2026-11-25T17-30-00Z");
  });

  it("refuses a start time that is not a time", () => {
    expect(() => defaultReportDir("steady", "yesterday")).toThrow(LabError);
  });
});
