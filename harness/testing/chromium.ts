import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; headless runs here need the flags that keep it off the (closed) network. */
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

export interface OpenedReport {
  charts: { name: string | undefined; width: number; height: number }[];
  bannerText: string | null;
  requests: string[];
  errors: string[];
  page: import("playwright-core").Page;
}

/**
 * Opens a report.html, waits until every chart says it has drawn, and returns what a reader would see.
 * A screenshot of the whole page goes to `screenshot` when given.
 */
export async function openReport(browser: Browser, file: string, screenshot?: string): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
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
      const box = el.querySelector("canvas")?.getBoundingClientRect();
      return { name: (el as HTMLElement).dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
  if (screenshot) {
    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  return { charts, bannerText: await page.textContent(".banner h1"), requests, errors, page };
}
