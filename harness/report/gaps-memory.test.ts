import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";

function observedResult() {
  const result = sampleResult();
  result.verdict = "interrupted";
  result.series.gaps = [
    {
      what: "lag offsets",
      fromS: 15,
      toS: 33,
      samples: 19,
      reason: "the high watermarks: no answer within 800 ms",
    },
  ];
  result.memory = {
    steadyFromS: 12,
    byProcess: {
      lab: {
        rssGrowthMBPerHour: 42.5,
        heapGrowthMBPerHour: 1.5,
        firstRssMB: 210,
        lastRssMB: 212,
        samples: 48,
      },
      "consumer-0": {
        rssGrowthMBPerHour: null,
        heapGrowthMBPerHour: null,
        reason: "3 sample(s) after 12 s; at least 30 are needed",
        firstRssMB: 150,
        lastRssMB: 151,
        samples: 3,
      },
    },
  };
  return result;
}

describe("gaps, memory and an interrupted verdict in the reports", () => {
  it("summary.md says the run was interrupted, lists each gap with its reason, and the memory growth", () => {
    const md = renderMarkdown(observedResult());
    expect(md).toContain("# ⏹ INTERRUPTED: broker-kill");
    expect(md).toContain(
      "- lag offsets not measured 15–33 s (19 samples): the high watermarks: no answer within 800 ms",
    );
    expect(md).toContain("| lab | 1.5 MB/h | 42.5 MB/h | 210 MB | 212 MB |");
    expect(md).toContain("| consumer-0 | not measured: 3 sample(s) after 12 s; at least 30 are needed |");
  });

  it("report.html has the interrupted banner and the gap list", () => {
    const html = renderHtml(observedResult());
    expect(html).toContain('<header class="banner interrupted">');
    expect(html).toContain("<h1>INTERRUPTED: broker-kill</h1>");
    expect(html).toContain("lag offsets not measured 15–33 s (19 samples)");
  });
});
