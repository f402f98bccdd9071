import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { failedAssertions, readResult, scenarioCli } from "../testing/scenario-cli.ts";

/** A smoke run on the integration project's shared 1-broker cluster, with an aggregator of the test's own. */
function smokeWith(aggregator: string, ...more: string[]): string[] {
  const { bootstrapServers } = inject("stack");
  const brokers = bootstrapServers.join(",");
  return ["smoke", "--provider", "external", "--brokers", brokers, "--consumer-command", aggregator, ...more];
}

describe("the end of a run", () => {
  it("writes every report when an aggregator ignores SIGTERM: a failed assertion names it, exit 1", async () => {
    // The pipeline's own aggregator, so the counts stay exact, under a shell that ignores SIGTERM and then
    // lingers: the process group outlives the stop's grace and is SIGKILLed.
    const aggregator = `trap '' TERM; ${process.execPath} --import tsx pipeline/consumer/main.ts; sleep 600`;
    const run = await scenarioCli(smokeWith(aggregator, "--duration", "5s"));
    expect(run.stderr).not.toContain("error:");
    expect(run.code).toBe(1);
    for (const file of ["report.json", "summary.md", "report.html", "junit.xml"])
      expect(existsSync(join(run.reportDir, file)), file).toBe(true);
    const result = readResult(run.reportDir);
    expect(result.verdict).toBe("fail");
    // A 5-s run on a busy machine may miss its rate too; the counts must still be exact.
    const failed = failedAssertions(result);
    expect(failed).toContain("aggregators stopped cleanly");
    expect(result.assertions.map((a) => a.name)).toEqual(
      expect.arrayContaining(["events lost", "events counted twice"]),
    );
    expect(failed).not.toContain("events lost");
    expect(failed).not.toContain("events counted twice");
    const stopped = result.assertions.find((a) => a.name === "aggregators stopped cleanly");
    expect(stopped?.observedValue).toBe(1);
    expect(stopped?.detail).toMatch(
      /^consumer-0 \(pid \d+\) did not exit within 30 s of SIGTERM and was SIGKILLed \(ended by SIGKILL\); its threads' native stacks before SIGKILL are at the end of its log; log .*consumer-0\.log/,
    );
    expect(readFileSync(join(run.reportDir, "logs", "consumer-0.log"), "utf8")).toMatch(/^#0 /m);
    expect(run.stderr).toContain("✗ aggregators stopped cleanly");
  });

  it("names a member that holds its partitions and commits nothing, in the log as it happens and in the verdict", async () => {
    const run = await scenarioCli(smokeWith("exec node --import tsx harness/testing/mutants/wedge.ts"));
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    // Said during the run, before the drain gives up.
    const stalled = run.stderr.indexOf("stalled: user-login/");
    expect(stalled, run.stderr.slice(-2_000)).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(run.stderr.indexOf("lag did not reach zero"));
    const result = readResult(run.reportDir);
    const liveness = result.assertions.find((a) => a.name === "every partition with a backlog made progress");
    expect(liveness?.pass).toBe(false);
    expect(liveness?.observedValue).toBeGreaterThanOrEqual(1);
    expect(liveness?.detail).toMatch(
      /user-login\/[\d,]+ held by consumer-0 \(pid \d+, login-aggregator-\d+-wedge\): no commit from [\d.]+ s to the end of the run \([\d.]+ s, never recovered\), [\d,]+ events behind/,
    );
  });
});
