import { sortedByLabel } from "../core/assertion.ts";
import type { FaultRecord } from "../faults/types.ts";
import type { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import { unscrapedTargets } from "../observe/scrape-check.ts";
import type { FetchCounters } from "./count-assertions.ts";

/**
 * The Fetch pipeline's counters (total_count, device_type_count, locale_count) summed over the consumers,
 * when Prometheus runs and no consumer lost its counts.
 */
export async function readFetchCounters(
  prometheus: PrometheusApi | undefined,
  topic: string,
  fleet: ConsumerFleet,
  faults: readonly FaultRecord[],
  log: (line: string) => void,
): Promise<FetchCounters | undefined> {
  if (!prometheus) return undefined;
  if (
    faults.some((f) => f.action === "kill-consumer" || f.action === "restart-consumer") ||
    fleet.events.some((e) => e.action !== "start")
  ) {
    log(
      "the Fetch pipeline's Prometheus counters are not compared: a consumer restarted and its counters started again from zero",
    );
    return undefined;
  }
  // A busy or just restarted aggregator may miss a scrape: give it a few seconds, then say exactly why.
  const unscraped = await unscrapedTargets(prometheus, fleet.metricsAddresses, 0, 10_000);
  if (unscraped) {
    log(`the Fetch pipeline's Prometheus counters are not compared: ${unscraped}`);
    return undefined;
  }
  // Two scrape intervals, so the last commits are in Prometheus.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const byLabel = async (expr: string, label: string) =>
    sortedByLabel(new Map((await prometheus.query(expr)).map((s) => [s.labels[label] ?? "", s.value])));
  const [total] = await prometheus.query(`sum(total_count{record_type="valid",topic="${topic}"})`);
  return {
    total: total?.value ?? 0,
    byDeviceType: await byLabel(`sum by (device_type) (device_type_count{topic="${topic}"})`, "device_type"),
    byLocale: await byLabel(`sum by (locale) (locale_count{topic="${topic}"})`, "locale"),
  };
}
