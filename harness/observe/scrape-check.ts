import type { PrometheusApi, PromTarget } from "../infra/prometheus-api.ts";

/**
 * Why Prometheus does not (yet) hold a current scrape of each address, or undefined when it does. Waits up
 * to `waitMs` for targets that are down or not yet scraped since `sinceMs` (a restart, a reload), since a
 * scrape a second late should not cost the run its counters check.
 */
export async function unscrapedTargets(
  prometheus: PrometheusApi,
  addresses: string[],
  sinceMs: number,
  waitMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const problems = describeUnscraped(await prometheus.targets(), addresses, sinceMs);
    if (problems.length === 0) return undefined;
    if (Date.now() >= deadline) return problems.join("; ");
    await sleep(500);
  }
}

export function describeUnscraped(targets: PromTarget[], addresses: string[], sinceMs: number): string[] {
  return addresses.flatMap((address) => {
    const target = targets.find((t) => t.instance === address);
    if (!target)
      return [`${address} is not among Prometheus's targets (its config was not reloaded with it)`];
    if (target.health !== "up") {
      return [
        `Prometheus's last scrape of ${address} (job ${target.job}) ${target.health === "down" ? `failed: ${target.lastError || "no error given"}` : "has not happened yet"}`,
      ];
    }
    if (!(target.lastScrapeMs >= sinceMs)) {
      return [
        `Prometheus has not scraped ${address} (job ${target.job}) since ${new Date(sinceMs).toISOString()}`,
      ];
    }
    return [];
  });
}
