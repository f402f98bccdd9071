import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../infra/local/provision.ts";
import { renderJson } from "../report/json.ts";
import { hasChromium, launchChromium, openReport } from "../testing/chromium.ts";
import { smokeBaseline } from "../testing/sample-result.ts";
import { failedAssertions, readResult, scenarioCli } from "../testing/scenario-cli.ts";

/** A short smoke run against the integration project's shared cluster, as an external one. */
function externalSmoke(): string[] {
  const { bootstrapServers } = inject("stack");
  return ["smoke", "--provider", "external", "--brokers", bootstrapServers.join(","), "--duration", "7s"];
}

describe.concurrent("npm run scenario", () => {
  it("passes the smoke scenario, writes the four reports, and report.html draws its charts in Chromium", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(["smoke"], {}, onTestFinished);
    expect(run.stderr).toContain("PASS smoke");
    expect(run.code).toBe(0);
    for (const file of ["report.json", "summary.md", "report.html", "junit.xml"]) {
      expect(existsSync(join(run.reportDir, file)), file).toBe(true);
    }
    const result = readResult(run.reportDir);
    expect(result.verdict).toBe("pass");
    expect(result.recount.total).toBeGreaterThan(3_500);
    expect(result.aggregates.total).toBe(result.recount.valid);
    // The check that fails the skip-one mutant (harness/testing/mutants/) passes the pipeline's own aggregator.
    const perRange = result.assertions.find(
      (a) => a.name === "each analytics record equals the recount of its source range",
    );
    expect(perRange?.pass, perRange?.detail).toBe(true);
    expect((perRange?.observedValue as { checked: number } | undefined)?.checked ?? 0).toBeGreaterThan(0);
    expect(result.series.t.length).toBeGreaterThan(15);
    expect(Object.keys(result.series.lagOffsetsByPartition).sort()).toEqual(["0", "1", "2"]);
    for (const lags of Object.values(result.series.lagOffsetsByPartition))
      expect(lags).toHaveLength(result.series.t.length);
    // The top-level keys the issue promises to users of report.json, and the seed that makes a run repeatable.
    const promised =
      "scenario config environment verdict ledger recount aggregates throughput latency lag series assertions faults";
    expect(Object.keys(result)).toEqual(expect.arrayContaining(promised.split(" ")));
    expect(result.config.seed).toBe(1);
    expect(readFileSync(join(run.reportDir, "junit.xml"), "utf8")).toContain('failures="0"');
    // The achieved and aggregated rates divide by different spans; the summary says which.
    const summary = readFileSync(join(run.reportDir, "summary.md"), "utf8");
    expect(summary).toContain("| Achieved rate (acked, over the load) |");
    expect(summary).toContain("| Aggregated rate (over load + drain) |");

    if (!hasChromium) return;
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const report = await openReport(
      browser,
      join(run.reportDir, "report.html"),
      join(REPO_ROOT, "reports", "test-output", "smoke-report.png"),
    );
    expect(report.bannerText).toBe("PASS: smoke");
    expect(report.charts.map((c) => c.name)).toEqual(["rate", "lag", "latency", "broker", "memory", "cpu"]);
    for (const chart of report.charts) expect(chart.height, `${chart.name} chart`).toBeGreaterThan(100);
    expect(report.errors).toEqual([]);
  });

  it("exits 1 and names the failed assertion in junit.xml when a threshold cannot hold", async ({
    onTestFinished,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), "lab-scenario-"));
    const file = join(dir, "impossible.ts");
    writeFileSync(
      file,
      `export default {
        name: "impossible",
        description: "Lag can never stay at zero while the aggregator commits once per window.",
        summary: "max lag 0 under load",
        proves: "that a failed threshold fails the run",
        load: { kind: "constant", rate: 300 },
        durationMs: 8000,
        drainTimeoutMs: 20000,
        topology: { partitions: 2, consumers: 1, brokers: 1, kraft: false },
        windowMs: 3000,
        malformed: 0,
        seed: 5,
        thresholds: { maxLagOffsets: 0 },
      };\n`,
    );
    const run = await scenarioCli([file], {}, onTestFinished);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("FAIL impossible");
    const junit = readFileSync(join(run.reportDir, "junit.xml"), "utf8");
    // The failure follows the test case's properties (expected and observed as data), inside the case.
    expect(junit).toMatch(
      /<testcase [^>]*name="max consumer lag \(offsets\)"[^>]*>(?:(?!<\/testcase>)[\s\S])*<failure/,
    );
    const result = readResult(run.reportDir);
    const lag = result.assertions.find((a) => a.name === "max consumer lag (offsets)");
    expect(lag?.pass).toBe(false);
    // Exactness still holds: only the impossible threshold failed.
    expect(result.assertions.filter((a) => !a.pass).map((a) => a.name)).toEqual([
      "max consumer lag (offsets)",
    ]);
  });

  it("fails a run on an external cluster that regressed against its baseline, in the exit code and in junit.xml", async ({
    onTestFinished,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), "lab-baseline-"));
    // The same configuration (a baseline of another one is refused before the run).
    const baseline = await smokeBaseline("an impossibly fast earlier run");
    baseline.throughput.achievedPerSec = 1_000_000;
    writeFileSync(join(dir, "baseline.json"), renderJson(baseline));
    const { prometheusUrl } = inject("stack");
    const run = await scenarioCli(
      [
        ...externalSmoke(),
        "--prometheus-url",
        prometheusUrl,
        "--grafana-url",
        "http://localhost:3000/",
        "--baseline",
        join(dir, "baseline.json"),
      ],
      {},
      onTestFinished,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("connected to an external cluster");
    expect(run.stderr).toContain("regression in achieved rate");
    const result = readResult(run.reportDir);
    // Only the baseline failed the run: every assertion of its own held.
    expect(failedAssertions(result), run.stderr.slice(-3_000)).toEqual([]);
    // An external cluster's run links its Prometheus and a Grafana dashboard over the run's time span.
    expect(result.config.provider).toBe("external");
    expect(result.links.prometheus).toBe(prometheusUrl);
    const grafana = new URL(result.links.grafana as string);
    expect(grafana.pathname).toBe("/d/fetch/fetch-dashboard");
    expect(Number(grafana.searchParams.get("from"))).toBeLessThan(Date.parse(result.environment.finishedAt));
    expect(Number(grafana.searchParams.get("to"))).toBeGreaterThan(Date.parse(result.environment.startedAt));
    expect(result.baseline?.comparisons.find((c) => c.metric.startsWith("achieved rate"))?.pass).toBe(false);
    expect(readFileSync(join(run.reportDir, "junit.xml"), "utf8")).toMatch(
      /<testcase [^>]*name="baseline: achieved rate[^"]*"[^>]*>\s*<failure/,
    );
  });

  it("rejects an unknown scenario and a bad flag value with exit code 2 and no stack trace", async ({
    onTestFinished,
  }) => {
    const unknown = await scenarioCli(["smok"], {}, onTestFinished);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no scenario "smok"; did you mean "smoke"?');
    const badRate = await scenarioCli(["smoke", "--rate", "-3"], {}, onTestFinished);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain("--rate");
    for (const run of [unknown, badRate]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
