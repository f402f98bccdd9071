import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness/core/wait-for.ts";
import { ConsumerFleet } from "../harness/infra/aggregators/consumer-fleet.ts";
import { startLocalStack } from "../harness/infra/local/local-stack.ts";
import { PrometheusApi } from "../harness/infra/prometheus-api.ts";
import type { StartedStack } from "../harness/infra/types.ts";
import { createKafka } from "../pipeline/kafka/client.ts";
import { constantRate, runProducer } from "../pipeline/producer/producer.ts";
import { DEFAULT_TOPICS, ensureTopics } from "../pipeline/topics.ts";
import { dashboardQueries } from "./grafana/dashboard.ts";
import { ruleExpressions } from "./prometheus/rules.ts";

/**
 * No Grafana server can run here, so every dashboard query and every recording and alerting rule is run
 * against a live Prometheus that scrapes a real broker and real aggregators while login traffic flows.
 */
describe("dashboard queries and Prometheus rules on live data", () => {
  let stack: StartedStack;
  let prometheus: PrometheusApi;
  let fleet: ConsumerFleet;

  beforeAll(async () => {
    stack = await startLocalStack({ brokers: 1, kraft: false, prometheus: true, log: () => {} });
    prometheus = new PrometheusApi(stack.prometheusUrl() as string);
    const connection = stack.connection();
    const admin = createKafka(connection, "observability-setup").admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: DEFAULT_TOPICS.input, partitions: 3, replicationFactor: 1 },
      { topic: DEFAULT_TOPICS.output, partitions: 1, replicationFactor: 1 },
      { topic: DEFAULT_TOPICS.dlq, partitions: 1, replicationFactor: 1 },
    ]);
    await admin.disconnect();
    fleet = new ConsumerFleet({
      connection,
      groupId: "user-login-aggregator",
      topics: { ...DEFAULT_TOPICS },
      windowMs: 2_000,
      inputPartitions: 3,
      logDir: mkdtempSync(join(tmpdir(), "observability-logs-")),
      onMetricsEndpoint: (address) => stack.registerScrapeTarget("login-consumer", address),
    });
    await fleet.add();
    await fleet.add();
    // 25 s of traffic: enough for every [1m] rate and the recording rules built on them.
    const summary = await runProducer({
      connection,
      topic: DEFAULT_TOPICS.input,
      schedule: constantRate(500),
      stopAfter: { durationMs: 25_000 },
      seed: 3,
      malformed: 0.02,
    });
    expect(summary.acked).toBeGreaterThan(10_000);
  }, 150_000);

  afterAll(async () => {
    for (const index of fleet?.running() ?? []) await fleet.kill(index);
    await stack?.stop();
  });

  it.each(dashboardQueries().map((q) => [q.panel, q.expr]))(
    "panel %s: %s returns data",
    async (_panel, expr) => {
      const samples = await prometheus.query(expr);
      expect(samples.length, `no series for ${expr}`).toBeGreaterThan(0);
    },
  );

  const rules = ruleExpressions();
  it.each(rules.filter((r) => r.kind === "record").map((r) => [r.name, r.expr]))(
    "recording rule %s returns data and is recorded",
    async (name, expr) => {
      expect((await prometheus.query(expr)).length, `no series for ${expr}`).toBeGreaterThan(0);
      const recorded = await waitFor(
        async () => ((await prometheus.query(name)).length > 0 ? true : undefined),
        {
          what: `the recorded series ${name}`,
          timeoutMs: 15_000,
          intervalMs: 1_000,
        },
      );
      expect(recorded).toBe(true);
    },
  );

  it("evaluates every rule group without an error", async () => {
    const response = await fetch(`${stack.prometheusUrl()}/api/v1/rules`);
    const body = (await response.json()) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const evaluated = body.data.groups.flatMap((g) => g.rules);
    expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => r.name).sort());
    expect(evaluated.filter((r) => r.health !== "ok")).toEqual([]);
  });

  it("keeps the alerts of a healthy pipeline quiet", async () => {
    for (const name of [
      "AggregatorDown",
      "UnderReplicatedPartitions",
      "OfflinePartitions",
      "ActiveControllerCountNotOne",
    ]) {
      const rule = rules.find((r) => r.name === name);
      expect(rule, name).toBeDefined();
      expect(await prometheus.query(rule?.expr as string), name).toEqual([]);
    }
  });

  it("fires AggregatorDown once the aggregators are killed", async () => {
    const rule = rules.find((r) => r.name === "AggregatorDown");
    for (const index of fleet.running()) await fleet.kill(index);
    const firing = await waitFor(
      async () => {
        const samples = await prometheus.query(rule?.expr as string);
        return samples.length > 0 ? samples : undefined;
      },
      { what: "AggregatorDown's expression to match", timeoutMs: 20_000, intervalMs: 1_000 },
    );
    expect(firing.every((s) => s.labels.job === "login-consumer")).toBe(true);
  });
});
