import { describe, expect, it } from "vitest";
import type { RunResult } from "../result/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

function externalRun(): RunResult {
  const base = sampleResult();
  return {
    ...base,
    config: { ...base.config, driver: "external", driverCommand: "kcat -P -b $KAFKA_BROKERS -t user-login" },
    throughput: {
      ...base.throughput,
      sendDelayMs: { count: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 },
    },
  };
}

describe("a run with an external driver, in every report format", () => {
  it("says what drove the load and that the ledger is the recount of the topic", () => {
    const run = externalRun();
    for (const text of [renderMarkdown(run), renderHtml(run), renderJunit(run)]) {
      expect(text).toContain("kcat -P -b $KAFKA_BROKERS -t user-login");
      expect(text).toContain("the ledger is the recount of the input topic over the run");
      expect(text).toContain("events lost before Kafka and send delay are not measured");
    }
    expect(JSON.parse(renderJson(run)).config).toMatchObject({
      driver: "external",
      driverCommand: "kcat -P -b $KAFKA_BROKERS -t user-login",
    });
  });

  it("shows a send delay it never measured as not measured, not 0 ms", () => {
    expect(renderMarkdown(externalRun())).toContain("| Send delay p99 | not measured |");
  });
});
