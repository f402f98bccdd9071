import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareWithBaseline } from "./baseline.ts";
import { sampleResult } from "./fixture.ts";
import { renderHtml } from "./html.ts";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join("reports", "test-output", "report-html.png");
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(`report.html in Chromium (skipped: no browser at ${CHROMIUM})`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "report-html-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(
      () => {
        const charts = [...document.querySelectorAll<HTMLElement>("[data-chart]")];
        return charts.length > 0 && charts.every((c) => c.dataset.rendered === "true");
      },
      undefined,
      { timeout: 15_000 },
    );

    const charts = await page.$$eval("[data-chart]", (elements) =>
      elements.map((el) => {
        const canvas = el.querySelector("canvas");
        const box = canvas?.getBoundingClientRect();
        return { name: (el as HTMLElement).dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    expect(charts.map((c) => c.name)).toEqual(["rate", "lag", "latency", "broker"]);
    for (const chart of charts) {
      expect(chart.width, `${chart.name} canvas width`).toBeGreaterThan(100);
      expect(chart.height, `${chart.name} canvas height`).toBeGreaterThan(100);
    }
    expect(await page.textContent(".banner h1")).toBe("FAIL: broker-kill");
    expect(await page.locator("tr.fail", { hasText: "e2e latency p99" }).count()).toBe(1);
    expect(await page.locator("tr.fail", { hasText: "achieved rate (events/s)" }).count()).toBe(1);
    expect(errors).toEqual([]);
    expect(requests).toContain(pathToFileURL(file).href);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);

    await mkdir(join("reports", "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  }, 60_000);
});
