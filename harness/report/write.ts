import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../core/errors.ts";
import type { RunResult } from "../result/types.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

export interface ReportPaths {
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

/** Writes the four renderings of one result into `dir`, creating it, and returns where they went. */
export async function writeReports(result: RunResult, dir: string): Promise<ReportPaths> {
  await mkdir(dir, { recursive: true });
  const paths: ReportPaths = {
    json: join(dir, "report.json"),
    markdown: join(dir, "summary.md"),
    html: join(dir, "report.html"),
    junit: join(dir, "junit.xml"),
  };
  await Promise.all([
    writeFile(paths.json, renderJson(result)),
    writeFile(paths.markdown, renderMarkdown(result)),
    writeFile(paths.html, renderHtml(result)),
    writeFile(paths.junit, renderJunit(result)),
  ]);
  return paths;
}

/**
 * `<root>/<scenario>/<start time>/`, the time in UTC to the second with `-` for `:` (2026-11-25T17-30-00Z)
 * so the folder name is valid on every file system and sorts by time.
 */
export function defaultReportDir(scenario: string, startedAt: string | Date, root = "reports"): string {
  const time = new Date(startedAt);
  if (Number.isNaN(time.getTime())) {
    throw new LabError("INTERNAL", `cannot name a report folder after start time ${String(startedAt)}`);
  }
  const stamp = time
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "-");
  return join(root, scenario.replace(/[^\w-]/g, "-"), stamp);
}
