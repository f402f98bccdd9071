import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "../../core/wait-for.ts";
import { uniqueName } from "../../testing/kafka.ts";
import { PrometheusApi } from "../prometheus-api.ts";
import { roundTrip } from "../round-trip.ts";
import { containerRuntimeAvailable } from "./runtime.ts";
import { startTestcontainersStack } from "./stack.ts";

const runtimeAvailable = await containerRuntimeAvailable();
const log = (line: string) => process.stderr.write(`[testcontainers] ${line}\n`);

describe(`the testcontainers stack${runtimeAvailable ? "" : " (skipped: no container runtime — testcontainers needs Docker)"}`, () => {
  it.skipIf(!runtimeAvailable)(
    "round-trips records through a broker in a container, scraped by Prometheus, with Grafana up",
    async () => {
      const stack = await startTestcontainersStack({ brokers: 1, kraft: false, prometheus: true, log });
      onTestFinished(() => stack.stop());

      const values = await roundTrip(stack.connection(), {
        topic: uniqueName("tc-rt"),
        count: 300,
        partitions: 3,
        replicationFactor: stack.replicationFactor(),
      });
      expect(new Set(values).size).toBe(300);

      const prometheus = new PrometheusApi(stack.prometheusUrl() as string);
      const up = await prometheus.query('up{job="kafka"}');
      expect(up.map((s) => [s.labels.broker_id, s.value])).toEqual([["1", 1]]);

      // Anonymous viewers can read the provisioned dashboard by the seed's uid.
      const dashboard = await waitFor(
        async () => {
          const response = await fetch(`${stack.grafanaUrl()}/api/dashboards/uid/fetch`);
          return response.ok ? ((await response.json()) as { dashboard: { uid: string } }) : undefined;
        },
        { what: "the fetch dashboard in Grafana", timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(dashboard.dashboard.uid).toBe("fetch");
    },
  );
});
