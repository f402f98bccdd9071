import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, hasChromium, launchChromium, openReport } from "../testing/chromium.ts";
import { compareWithBaseline } from "./baseline.ts";
import { sampleResult } from "./fixture.ts";
import { renderHtml } from "./html.ts";

const SCREENSHOT = join("reports", "test-output", "report-html.png");

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
});
