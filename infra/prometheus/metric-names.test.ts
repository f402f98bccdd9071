import { describe, expect, it } from "vitest";
import { createConsumerMetrics } from "../../pipeline/consumer/metrics.ts";
import { dashboardQueries } from "../grafana/dashboard.ts";
import { ruleExpressions } from "./rules.ts";

// Series the consumer exports: its own names plus prom-client's default process and Node.js metrics.
// Recorded series (level:metric:operations) hold such names between colons and are left out.
const CONSUMER_SERIES =
  /(?<![\w:])(login_consumer_\w+|device_type_count|locale_count|total_count|process_\w+|nodejs_\w+)(?![\w:])/g;
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

describe("metric names the rules and the dashboard read", () => {
  it("are all exported by the login consumer's registry", async () => {
    const { registry } = createConsumerMetrics();
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const expressions = [...ruleExpressions().map((r) => r.expr), ...dashboardQueries().map((q) => q.expr)];
    const read = new Set(
      expressions.flatMap((expr) => [...expr.matchAll(CONSUMER_SERIES)].map((m) => m[1] as string)),
    );
    expect(read.size).toBeGreaterThan(8);
    const missing = [...read].filter(
      (name) => !exported.has(name) && !exported.has(name.replace(HISTOGRAM_SUFFIX, "")),
    );
    expect(missing).toEqual([]);
  });
});
