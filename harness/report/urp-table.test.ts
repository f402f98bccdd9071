import { describe, expect, it } from "vitest";
import type { UrpRecovery } from "../result/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

const rows: UrpRecovery[] = [
  {
    brokerId: 2,
    actions: "kill → restart",
    downAtS: 30,
    upAtS: 40.4,
    peakUrp: 4,
    timeToZeroMs: 3_600,
    peakLatencyP99Ms: 14_200,
    peakSendDelayP99Ms: 180,
    latencyP99BeforeMs: 5_200,
  },
  {
    brokerId: 3,
    actions: "pause → resume",
    downAtS: 45,
    upAtS: 50,
    peakUrp: null,
    timeToZeroMs: null,
    peakLatencyP99Ms: null,
    peakSendDelayP99Ms: 3,
    latencyP99BeforeMs: null,
    reason: "URP was not measured from 50.0 s to 60.0 s",
  },
];

describe("the URP table in every report", () => {
  const result = sampleResult({ urpRecovery: rows });

  it("gives each broker outage a row in summary.md, with the reason where a figure is missing", () => {
    const md = renderMarkdown(result);
    expect(md).toContain("## Under-replicated partitions after each broker outage");
    expect(md).toContain(
      "| broker 2 | kill → restart | 30 s | 40.4 s | 4 | 3.6 s after its return | 14.2 s (5.2 s) | 180 ms |",
    );
    expect(md).toContain(
      "| broker 3 | pause → resume | 45 s | 50 s | not measured | not measured: URP was not measured from 50.0 s to 60.0 s |",
    );
    expect(renderMarkdown(sampleResult())).not.toContain("Under-replicated partitions after");
  });

  it("renders the same rows in report.html and junit.xml, and keeps them as numbers in report.json", () => {
    expect(renderHtml(result)).toContain("<td>3.6 s after its return</td>");
    expect(renderJunit(result)).toContain(
      '<property name="urp.1" value="Broker: broker 2 · Faults: kill → restart · Down at: 30 s · Back at: 40.4 s · Peak URP: 4',
    );
    expect(JSON.parse(renderJson(result)).urpRecovery[0]).toMatchObject({ brokerId: 2, timeToZeroMs: 3_600 });
  });
});
