import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "../../core/wait-for.ts";
import { PrometheusApi } from "../prometheus-api.ts";
import { startLocalStack } from "./local-stack.ts";

const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

describe("Prometheus after a broker restart", () => {
  it("scrapes the restarted broker's JMX exporter again", async () => {
    const stack = await startLocalStack({ brokers: 1, kraft: false, prometheus: true, log });
    onTestFinished(() => stack.stop());
    const prometheus = new PrometheusApi(stack.prometheusUrl() as string);
    const kafkaTarget = async () => (await prometheus.targets()).find((t) => t.job === "kafka");
    const before = await kafkaTarget();
    expect(before?.health).toBe("up");

    await stack.faults.apply("kill", 1);
    await waitFor(async () => ((await kafkaTarget())?.health === "down" ? true : undefined), {
      what: "Prometheus to see the killed broker's exporter down",
      timeoutMs: 15_000,
      intervalMs: 250,
    });
    const restartedAt = Date.now();
    await stack.faults.apply("restart", 1);
    let seen = "";
    await waitFor(
      async () => {
        const target = await kafkaTarget();
        seen = JSON.stringify(target);
        return target?.health === "up" && target.lastScrapeMs > restartedAt ? true : undefined;
      },
      { what: "a scrape of the restarted broker", timeoutMs: 60_000, intervalMs: 500, describe: () => seen },
    );
    // The same address as before: dashboards and queries keep one series per broker.
    expect((await kafkaTarget())?.instance).toBe(before?.instance);
    const [up] = await prometheus.query('up{job="kafka"}');
    expect(up?.value).toBe(1);
  });
});
