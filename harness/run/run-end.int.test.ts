import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { failedAssertions, readResult, scenarioCli } from "../testing/scenario-cli.ts";

describe("the end of a run", () => {
  it("writes every report when an aggregator ignores SIGTERM: a failed assertion names it, exit 1", async () => {
    const { bootstrapServers } = inject("stack");
    // The pipeline's own aggregator, so the counts stay exact, under a shell that ignores SIGTERM and then
    // lingers: the process group outlives the stop's grace and is SIGKILLed.
    const aggregator = `trap '' TERM; ${process.execPath} --import tsx pipeline/consumer/main.ts; sleep 600`;
    const run = await scenarioCli([
      "smoke",
      "--provider",
      "external",
      "--brokers",
      bootstrapServers.join(","),
      "--duration",
      "5s",
      "--consumers",
      "1",
      "--consumer-command",
      aggregator,
    ]);
    expect(run.stderr).not.toContain("error:");
    expect(run.code).toBe(1);
    for (const file of ["report.json", "summary.md", "report.html", "junit.xml"])
      expect(existsSync(join(run.reportDir, file)), file).toBe(true);
    const result = readResult(run.reportDir);
    expect(result.verdict).toBe("fail");
    expect(failedAssertions(result)).toEqual(["aggregators stopped cleanly"]);
    const stopped = result.assertions.find((a) => a.name === "aggregators stopped cleanly");
    expect(stopped?.observedValue).toBe(1);
    expect(stopped?.detail).toMatch(
      /^consumer-0 \(pid \d+\) did not exit within 30 s of SIGTERM and was SIGKILLed \(ended by SIGKILL\); log .*consumer-0\.log/,
    );
    expect(run.stderr).toContain("✗ aggregators stopped cleanly");
  });
});
