import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { escapeHtml, renderHtml } from "./html.ts";

function embeddedData(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error("no embedded data");
  return JSON.parse(match[1]);
}

describe("renderHtml", () => {
  it("inlines uPlot and its stylesheet and loads nothing from elsewhere", () => {
    const html = renderHtml(sampleResult());
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*rel="stylesheet"/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).toContain(".uplot");
    expect(html).toMatch(/<script>[^<]*?uPlot/);
  });

  it("embeds the series and faults as JSON that survives a closing script tag in the data", () => {
    const hostile = sampleResult();
    hostile.faults = [
      { atMs: 1_000, action: "kill", target: "broker-1", note: "</script><script>alert(1)</script>" },
    ];
    const html = renderHtml(hostile);
    expect(embeddedData(html)).toEqual({ series: hostile.series, faults: hostile.faults });
    expect(html).not.toContain("<script>alert(1)");
  });

  it("has one container per chart, and none for broker metrics that were not scraped", () => {
    const charts = (html: string) => [...html.matchAll(/data-chart="(\w+)"/g)].map((m) => m[1]);
    expect(charts(renderHtml(sampleResult()))).toEqual(["rate", "lag", "latency", "broker"]);
    const {
      brokerMessagesInRate,
      brokerBytesInRate,
      brokerBytesOutRate,
      underReplicatedPartitions,
      ...series
    } = sampleResult().series;
    const html = renderHtml(sampleResult({ series }));
    expect(charts(html)).toEqual(["rate", "lag", "latency"]);
    expect(html).toContain("No broker metrics were scraped in this run.");
  });

  it("shows the verdict and colours a failed assertion", () => {
    const html = renderHtml(sampleResult({}, { failAssertion: true }));
    expect(html).toContain('<header class="banner fail">\n<h1>FAIL: broker-kill</h1>');
    expect(html).toMatch(
      /<tr class="fail"><td><span class="badge fail">fail<\/span><\/td><td>e2e latency p99<\/td>/,
    );
    expect(html).toContain("stayed &lt;above&gt; the limit");
  });

  it("gives each fault a row of the faults table under the charts", () => {
    const html = renderHtml(sampleResult());
    expect(html).toContain(
      "<tr><td>30 s</td><td>kill</td><td>broker-2</td><td>pid 41234, SIGKILL</td><td></td></tr>",
    );
    expect(html).toContain(
      "<tr><td>40 s</td><td>restart</td><td>broker-2</td><td>pid 41877</td><td></td></tr>",
    );
  });
});

describe("escapeHtml", () => {
  it("escapes markup and both quotes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});
