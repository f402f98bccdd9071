import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../core/wait-for.ts";
import { type RunningCli, readResult, startScenarioCli } from "../testing/scenario-cli.ts";

/** Processes whose command line names the stack's broker address: brokers' configs are in their run folder, consumers get it as a flag. */
function processesOf(cli: RunningCli): string[] {
  const address = /stack ready: .* at (127\.0\.0\.1:\d+)/.exec(cli.stderr())?.[1];
  if (!address) throw new Error(`the stack never said it was ready:\n${cli.stderr()}`);
  const brokerPort = address.split(":")[1] as string;
  try {
    return execFileSync("pgrep", ["-af", `brokers=${address}|port=${brokerPort}|${cli.reportDir}`], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.includes("pgrep"));
  } catch {
    return [];
  }
}

/** Waits until the load has run for about `seconds`. */
async function untilLoadRuns(cli: RunningCli, seconds: number): Promise<void> {
  await waitFor(() => (cli.stderr().includes("load: constant") ? true : undefined), {
    what: "the load to start",
    timeoutMs: 150_000,
    intervalMs: 200,
    describe: () => cli.stderr().slice(-500),
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
}

describe("Ctrl-C", () => {
  it("stops the load, drains for a bounded time and writes all four reports with the verdict interrupted", async () => {
    const cli = startScenarioCli(["smoke", "--duration", "60s"]);
    await untilLoadRuns(cli, 8);
    const sentAt = Date.now();
    cli.child.kill("SIGINT");
    const code = await cli.exited;
    expect(code, cli.stderr().slice(-2_000)).toBe(130);
    // Drain bound (15 s) plus verification on a small topic, far short of the 60 s the load would have run.
    expect(Date.now() - sentAt).toBeLessThan(45_000);
    expect(cli.stderr()).toMatch(/interrupted at \d+\.\d s: stopping the load/);
    expect(cli.stderr()).toContain("INTERRUPTED smoke");
    for (const file of ["report.json", "summary.md", "report.html", "junit.xml"]) {
      expect(existsSync(join(cli.reportDir, file)), file).toBe(true);
    }
    const result = readResult(cli.reportDir);
    expect(result.verdict).toBe("interrupted");
    expect(result.interruptedAtMs).toBeGreaterThan(7_000);
    expect(result.interruptedAtMs).toBeLessThan(20_000);
    // Everything measured so far: the sent events were verified, and the series cover the load.
    expect(result.ledger.total).toBeGreaterThan(1_000);
    expect(result.recount.total).toBe(result.ledger.total);
    expect(result.series.t.length).toBeGreaterThanOrEqual(8);
    expect(readFileSync(join(cli.reportDir, "summary.md"), "utf8")).toContain("INTERRUPTED: smoke");
    expect(processesOf(cli)).toEqual([]);
  });

  it("stops at once on a second Ctrl-C, leaving no process behind", async () => {
    const cli = startScenarioCli(["smoke", "--duration", "60s"]);
    await untilLoadRuns(cli, 5);
    cli.child.kill("SIGINT");
    await waitFor(
      () => (/interrupted at \d+\.\d s: stopping the load/.test(cli.stderr()) ? true : undefined),
      {
        what: "the first Ctrl-C to be taken",
        timeoutMs: 10_000,
        intervalMs: 50,
        describe: () => cli.stderr().slice(-500),
      },
    );
    const sentAt = Date.now();
    cli.child.kill("SIGINT");
    const code = await cli.exited;
    expect(code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    // SIGKILLed process groups are gone once the kernel has reaped them.
    await waitFor(() => (processesOf(cli).length === 0 ? true : undefined), {
      what: "no process of the run left",
      timeoutMs: 5_000,
      intervalMs: 200,
      describe: () => processesOf(cli).join("\n"),
    });
  });
});
