import { describe, expect, it } from "vitest";
import type { RebalancePause, ThrottleFigures } from "../result/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

const throttle: ThrottleFigures = {
  startS: 15,
  endS: 60,
  growthOffsetsPerS: 712.4,
  growthLagSecondsPerS: 0.48,
  peakLagOffsets: 33_120,
  peakLagSeconds: 22.4,
  levelBeforeOffsets: 3_100,
  drainMs: 4_000,
  warnAtS: 46,
  okAgainAtS: 61,
  statusChanges: [
    { t: 1, from: null, to: "OK" },
    { t: 46, from: "OK", to: "WARN" },
    { t: 61, from: "WARN", to: "OK" },
  ],
  gaps: [],
};

const pauses: RebalancePause[] = [
  {
    atS: 5,
    action: "add-consumer",
    target: "consumer:1",
    lagBeforeOffsets: 1_200,
    peakLagAfterOffsets: 4_400,
    horizonS: 10,
    rateBefore: 500,
    pauseS: 3,
    gaps: [],
  },
  {
    atS: 18,
    action: "remove-consumer",
    target: "consumer:2",
    lagBeforeOffsets: null,
    peakLagAfterOffsets: 2_000,
    horizonS: 10,
    rateBefore: null,
    pauseS: null,
    gaps: ["no sample between 17 s and 21 s: the pause cannot be measured"],
  },
];

const result = sampleResult({ throttles: [throttle], rebalancePauses: pauses });

describe("throttle and rebalance pause figures in every report", () => {
  it("gives summary.md a row per throttle with its status timeline, and a row per membership change", () => {
    const md = renderMarkdown(result);
    expect(md).toContain("## Throttles");
    expect(md).toContain(
      "| 15–60 s | 712.4 offsets/s, 0.48 s of lag/s | 33,120 offsets / 22.4 s | 4 s (to 3,100 offsets) | 46 s | 61 s | – |",
    );
    expect(md).toContain("Lag status over the run: 1 s OK → 46 s WARN → 61 s OK");
    expect(md).toContain("| 5 s | add-consumer consumer:1 | 1,200 | 4,400 | 500/s | 3 s | – |");
    expect(md).toContain(
      "| 18 s | remove-consumer consumer:2 | not measured | 2,000 | not measured | not measured | no sample between 17 s and 21 s: the pause cannot be measured |",
    );
  });

  it("gives report.html the same tables", () => {
    const html = renderHtml(result);
    expect(html).toContain("<h3>Throttles</h3>");
    expect(html).toContain("<h3>Rebalance pauses</h3>");
    expect(html).toContain("<p>Lag status over the run: 1 s OK → 46 s WARN → 61 s OK</p>");
    expect(html).toContain('<td class="num">3 s</td>');
  });

  it("gives junit.xml a property per throttle and per pause", () => {
    const xml = renderJunit(result);
    expect(xml).toContain('name="throttle.1" value="Throttle: 15–60 s · Lag growth: 712.4 offsets/s');
    expect(xml).toContain('name="throttle.1.lag-status" value="1 s OK → 46 s WARN → 61 s OK"');
    expect(xml).toContain('name="rebalance-pause.2" value="At: 18 s · Change: remove-consumer consumer:2');
  });

  it("keeps the figures as numbers in report.json, and leaves the sections out when there are none", () => {
    const json = JSON.parse(renderJson(result));
    expect(json.throttles[0]).toMatchObject({ growthOffsetsPerS: 712.4, drainMs: 4_000, warnAtS: 46 });
    expect(json.rebalancePauses[1]).toMatchObject({ pauseS: null, rateBefore: null });
    const plain = sampleResult();
    expect(renderMarkdown(plain)).not.toContain("## Throttles");
    expect(renderMarkdown(plain)).not.toContain("## Rebalance pauses");
    expect(renderHtml(plain)).not.toContain("<h3>Throttles</h3>");
    expect(renderJunit(plain)).not.toContain("throttle.");
  });
});
