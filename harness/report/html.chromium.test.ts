import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, hasChromium, launchChromium, openReport } from "../testing/chromium.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { compareWithBaseline } from "../verify/baseline.ts";
import { renderHtml } from "./html.ts";

const SCREENSHOT = join("reports", "test-output", "report-html.png");
const FAULTS_SCREENSHOT = join("reports", "test-output", "report-html-faults.png");

describe.skipIf(!hasChromium)(`report.html in Chromium (skipped: no browser at ${CHROMIUM})`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "report-html-"));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("draws every chart offline, without a single request leaving the page", async () => {
    const file = join(dir, "report.html");
    const base = sampleResult();
    const result = sampleResult({}, { failAssertion: true });
    result.throughput.achievedPerSec = 320;
    result.baseline = {
      file: "reports/baselines/broker-kill.json",
      comparisons: compareWithBaseline(result, base),
    };
    result.rateSearch = {
      foundRatePerSec: 1_200,
      heldRatePerSec: 1_100,
      steps: [
        { ratePerSec: 800, sustained: true, reason: "lag stayed under 2 s" },
        { ratePerSec: 1_600, sustained: false, reason: "lag grew for 20 s" },
        { ratePerSec: 1_200, sustained: true, reason: "lag stayed under 2 s" },
      ],
    };
    await writeFile(file, renderHtml(result));
    const report = await openReport(browser, file, SCREENSHOT);
    const { charts, page, errors, requests } = report;
    expect(charts.map((c) => c.name)).toEqual(["rate", "lag", "latency", "broker"]);
    for (const chart of charts) {
      expect(chart.width, `${chart.name} canvas width`).toBeGreaterThan(100);
      expect(chart.height, `${chart.name} canvas height`).toBeGreaterThan(100);
    }
    expect(report.bannerText).toBe("FAIL: broker-kill");
    expect(await page.locator("tr.fail", { hasText: "e2e latency p99" }).count()).toBe(1);
    expect(await page.locator("tr.fail", { hasText: "achieved rate (events/s)" }).count()).toBe(1);
    expect(errors).toEqual([]);
    expect(requests).toContain(pathToFileURL(file).href);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
    await page.close();
  }, 60_000);

  it("draws a dashed line at each fault on every chart", async () => {
    const file = join(dir, "faults.html");
    // Away from the fixture's own vertical edges (under-replicated partitions step up at 30 s and down at 40 s).
    const faults = [
      { atMs: 12_500, action: "kill" as const, target: "broker:2", pid: 4_321, signal: "SIGKILL" },
      { atMs: 47_500, action: "restart" as const, target: "broker:2", pid: 4_400 },
    ];
    await writeFile(file, renderHtml(sampleResult({ faults })));
    const { page, charts } = await openReport(browser, file, FAULTS_SCREENSHOT);
    const columns = await page.$$eval("[data-chart]", (cards) =>
      cards.map((card) => {
        const canvas = card.querySelector("canvas") as HTMLCanvasElement;
        const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
        // The fault colour, #cf222e, or its blend with white where the line falls between two pixels.
        const reddish = (r: number, g: number, b: number) => r - g > 60 && r - b > 60;
        /** Rows of the canvas with red in the three pixels around column x, and the red runs along it. */
        const column = (x: number) => {
          const data = ctx.getImageData(x - 1, 0, 3, canvas.height).data;
          let red = 0;
          let runs = 0;
          let previous = false;
          for (let y = 0; y < canvas.height; y++) {
            let here = false;
            for (let dx = 0; dx < 3; dx++) {
              const p = (y * 3 + dx) * 4;
              here ||= reddish(data[p] ?? 0, data[p + 1] ?? 0, data[p + 2] ?? 0);
            }
            if (here) red++;
            if (here && !previous) runs++;
            previous = here;
          }
          return { red, runs };
        };
        const xs: number[] = JSON.parse((card as HTMLElement).dataset.faultLines ?? "[]");
        return {
          height: canvas.height,
          lines: xs.map(column),
          beside: xs.map((x) => column(x - 30)),
        };
      }),
    );
    expect(columns).toHaveLength(charts.length);
    for (const [i, { height, lines, beside }] of columns.entries()) {
      const name = charts[i]?.name;
      expect(lines, `${name}: one line per fault`).toHaveLength(2);
      for (const line of lines) {
        expect(line.red, `${name}: red along the fault`).toBeGreaterThan(height * 0.3);
        expect(line.runs, `${name}: the line is dashed`).toBeGreaterThan(10);
      }
      for (const plain of beside) expect(plain.red, `${name}: no line beside it`).toBeLessThan(height * 0.1);
    }
    await page.close();
  }, 60_000);
});
