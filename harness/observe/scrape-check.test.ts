import { describe, expect, it } from "vitest";
import type { PromTarget } from "../infra/prometheus-api.ts";
import { describeUnscraped } from "./scrape-check.ts";

const target = (instance: string, over: Partial<PromTarget> = {}): PromTarget => ({
  job: "login-consumer",
  instance,
  health: "up",
  lastError: "",
  lastScrapeMs: 2_000,
  ...over,
});

describe("describeUnscraped", () => {
  it("says precisely why each address lacks a current scrape", () => {
    const targets = [
      target("127.0.0.1:1"),
      target("127.0.0.1:2", {
        health: "down",
        lastError: 'Get "http://127.0.0.1:2/metrics": context deadline exceeded',
      }),
      target("127.0.0.1:3", { lastScrapeMs: 500 }),
      target("127.0.0.1:4", { health: "unknown", lastScrapeMs: Number.NaN }),
    ];
    expect(
      describeUnscraped(
        targets,
        ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4", "127.0.0.1:5"],
        1_000,
      ),
    ).toEqual([
      `Prometheus's last scrape of 127.0.0.1:2 (job login-consumer) failed: Get "http://127.0.0.1:2/metrics": context deadline exceeded`,
      "Prometheus has not scraped 127.0.0.1:3 (job login-consumer) since 1970-01-01T00:00:01.000Z",
      "Prometheus's last scrape of 127.0.0.1:4 (job login-consumer) has not happened yet",
      "127.0.0.1:5 is not among Prometheus's targets (its config was not reloaded with it)",
    ]);
  });
});
