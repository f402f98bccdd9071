import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "../core/wait-for.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";
import { readResult } from "../testing/scenario-cli.ts";

interface Cli {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  reportDir: string;
}

/** The scenario CLI as a user runs it, with node as the direct parent so that SIGINT reaches it alone. */
function startCli(args: string[]): Cli {
  const reportDir = mkdtempSync(join(tmpdir(), "lab-interrupt-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "harness/cli/scenario.ts", ...args, "--report-dir", reportDir],
    { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  return { child, stderr: () => stderr, exited, reportDir };
}

/** Processes whose command line names the stack's broker address: brokers' configs are in their run folder, consumers get it as a flag. */
function processesOf(cli: Cli): string[] {
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
async function untilLoadRuns(cli: Cli, seconds: number): Promise<void> {
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
    const cli = startCli(["smoke", "--duration", "60s"]);
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
    const cli = startCli(["smoke", "--duration", "60s"]);
    await untilLoadRuns(cli, 5);
    cli.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 500));
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
