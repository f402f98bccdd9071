import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { compareWithBaseline } from "../verify/baseline.ts";
import { renderMarkdown } from "./markdown.ts";

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}`);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf("\n## ", start + 3);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe("renderMarkdown", () => {
  it("puts the verdict in the title and the seed in the config line", () => {
    const pass = renderMarkdown(sampleResult());
    expect(pass.split("\n")[0]).toBe("# ✅ PASS: broker-kill");
    expect(pass).toMatch(/^\*\*Config:\*\* seed 424242 · /m);
    const fail = renderMarkdown(
      sampleResult({ config: { ...sampleResult().config, seed: 7 } }, { failAssertion: true }),
    );
    expect(fail.split("\n")[0]).toBe("# ❌ FAIL: broker-kill");
    expect(fail).toMatch(/^\*\*Config:\*\* seed 7 · /m);
  });

  it("names the Kafka client of the driver and of the aggregator in the config line", () => {
    const config = {
      ...sampleResult().config,
      loadClient: "librdkafka",
      aggregatorClient: "kafkajs",
    } as const;
    expect(renderMarkdown(sampleResult({ config }))).toMatch(
      /^\*\*Config:\*\* .* · driver on librdkafka · aggregator on kafkajs/m,
    );
  });

  it("shows a failed assertion as a ❌ row with expected, observed and escaped detail", () => {
    const assertions = section(renderMarkdown(sampleResult({}, { failAssertion: true })), "Assertions");
    expect(assertions).toContain("(4/5 passed)");
    expect(assertions).toContain(
      "| ❌ | e2e latency p99 | ≤ 5000 ms | 14212 ms | latency rose while broker-2 was down & stayed &lt;above> the limit |",
    );
    expect(assertions).toContain("| ✅ | no lost events | 0 | 0 |  |");
  });

  it("summarizes equal locales in one line and lists the ones that differ", () => {
    expect(section(renderMarkdown(sampleResult()), "Exactness")).toContain("Locales: 50 locales, all equal.");
    const base = sampleResult();
    const lost = sampleResult({
      aggregates: { ...base.aggregates, byLocale: new Map([...base.aggregates.byLocale, ["TX", 590]]) },
    });
    expect(section(renderMarkdown(lost), "Exactness")).toContain(
      "Locales: 50 locales, 1 differ: TX (ledger 597, recount 597, aggregates 590).",
    );
  });

  it("marks a device type whose aggregate differs from the ledger", () => {
    const base = sampleResult();
    const doubled = sampleResult({
      aggregates: {
        ...base.aggregates,
        byDeviceType: new Map([...base.aggregates.byDeviceType, ["iOS", 29_850]]),
      },
    });
    expect(renderMarkdown(doubled)).toContain("| device_type iOS | 14,925 | 14,925 | 29,850 | ❌ |");
  });

  it("adds rate search, baseline and links sections only when the result has them", () => {
    const plain = renderMarkdown(sampleResult({ links: {} }));
    expect(plain).not.toContain("## Rate search");
    expect(plain).not.toContain("## Baseline");
    expect(plain).not.toContain("## Links");

    const base = sampleResult();
    const slower = sampleResult({ throughput: { ...base.throughput, achievedPerSec: 300 } });
    const full = renderMarkdown({
      ...slower,
      baseline: {
        file: "reports/baselines/broker-kill.json",
        comparisons: compareWithBaseline(slower, base),
      },
      rateSearch: {
        foundRatePerSec: 1_200,
        heldRatePerSec: 1_100,
        steps: [{ ratePerSec: 1_400, sustained: false, reason: "lag kept growing" }],
      },
    });
    expect(section(full, "Baseline comparison")).toContain(
      "| ❌ | achieved rate (events/s) | 499.2 | 300 | ≥ 399.36 (baseline 499.2 −20 %) |",
    );
    expect(section(full, "Rate search")).toContain("| 1,400/s | no | lag kept growing |");
    expect(section(full, "Links")).toContain("- Grafana: http://127.0.0.1:13000/d/lab/login-pipeline-lab");
  });

  it("prints the limit a comparison recorded, and works it out for a report written before limits were", () => {
    const base = sampleResult();
    const [rate] = compareWithBaseline(base, base);
    if (!rate) throw new Error("no rate comparison");
    const row = (comparison: typeof rate) =>
      section(
        renderMarkdown(sampleResult({ baseline: { file: "b.json", comparisons: [comparison] } })),
        "Baseline comparison",
      );
    expect(row({ ...rate, limit: 123 })).toContain("≥ 123 (baseline 499.2 −20 %)");
    const { limit: _, ...older } = rate;
    expect(row(older)).toContain("≥ 399.36 (baseline 499.2 −20 %)");
  });

  it("writes a lag no sample could read as not measured, in the key figures and the baseline rows", () => {
    const base = sampleResult();
    const unread = sampleResult({ lag: { ...base.lag, maxOffsets: null, maxSeconds: null } });
    const markdown = renderMarkdown({
      ...unread,
      baseline: { file: "b.json", comparisons: compareWithBaseline(unread, base) },
    });
    expect(section(markdown, "Key figures")).toContain("| Max lag | not measured / not measured |");
    expect(section(markdown, "Baseline comparison")).toContain(
      "| ❌ | max lag (s) | 10.6 | not measured | ≤ 15.9 (baseline 10.6 +50 %) |",
    );
  });

  it("gives each fault a row of the faults table", () => {
    const faults = section(renderMarkdown(sampleResult()), "Faults");
    expect(faults).toContain("| At | Action | Target | Process | Note |");
    expect(faults).toContain("| 30 s | kill | broker-2 | pid 41234, SIGKILL |  |");
    expect(faults).toContain("| 40 s | restart | broker-2 | pid 41877 |  |");
    const hit = sampleResult({
      faults: [
        {
          atMs: 15_000,
          action: "kill",
          target: "leader:user-login/0",
          brokerId: 2,
          leaderOf: { topic: "user-login", partition: 0 },
          pid: 777,
          signal: "SIGKILL",
        },
        {
          atMs: 20_000,
          action: "stop-consumer",
          target: "consumer:1",
          consumerIndex: 1,
          error: "no such consumer",
        },
      ],
    });
    const rows = section(renderMarkdown(hit), "Faults");
    expect(rows).toContain(
      "| 15 s | kill | leader:user-login/0 | broker 2, pid 777, SIGKILL | leader of user-login/0 was broker 2 |",
    );
    expect(rows).toContain(
      "| 20 s | stop-consumer | consumer:1 | consumer 1 | not applied: no such consumer |",
    );
    expect(section(renderMarkdown(sampleResult({ faults: [] })), "Faults")).toContain(
      "No faults were injected.",
    );
  });
});
