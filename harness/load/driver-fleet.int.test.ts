import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../core/process-alive.ts";
import { waitFor } from "../core/wait-for.ts";
import type { RunResult } from "../result/types.ts";
import { type RunningCli, startScenarioCli } from "../testing/scenario-cli.ts";

/** The driver processes' pids, as the run names them once it has started them. */
async function driverPids(cli: RunningCli): Promise<number[]> {
  const line = await waitFor(() => /load driver processes: \d+ \(pids ([\d, ]+)\)/.exec(cli.stderr())?.[1], {
    what: "the driver processes to start",
    timeoutMs: 150_000,
    intervalMs: 200,
    describe: () => cli.stderr().slice(-500),
  });
  return line.split(",").map((pid) => Number(pid.trim()));
}

async function noneAlive(pids: number[]): Promise<void> {
  await waitFor(() => (pids.every((pid) => !isAlive(pid)) ? true : undefined), {
    what: "every driver process gone",
    timeoutMs: 5_000,
    intervalMs: 200,
    describe: () => `still alive: ${pids.filter(isAlive).join(", ")}`,
  });
}

/** Waits until the load has run for about `seconds` (the processes are ready before it starts). */
async function loadRuns(cli: RunningCli, seconds: number): Promise<void> {
  await waitFor(() => (/load: constant/.test(cli.stderr()) ? true : undefined), {
    what: "the load to start",
    timeoutMs: 60_000,
    intervalMs: 200,
    describe: () => cli.stderr().slice(-500),
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
}

const report = (cli: RunningCli) =>
  JSON.parse(readFileSync(join(cli.reportDir, "report.json"), "utf8")) as RunResult;

describe.concurrent("--producers 2", () => {
  it("drives smoke from two processes whose merged ledger the verifier finds exact", async ({
    onTestFinished,
  }) => {
    const cli = startScenarioCli(["smoke", "--producers", "2"], {}, onTestFinished);
    const pids = await driverPids(cli);
    expect(pids).toHaveLength(2);
    const code = await cli.exited;
    expect(code, cli.stderr().slice(-3_000)).toBe(0);
    const result = report(cli);
    expect(result.verdict).toBe("pass");
    expect(result.config.loadProcesses).toBe(2);
    // 200/s for 20 s: the two shares add up to the one schedule.
    expect(result.ledger.total).toBe(3_999);
    expect(result.recount).toEqual(result.ledger);
    const tiled = result.assertions.find((a) => a.name.startsWith("acked offsets of the 2 driver processes"));
    expect(tiled?.pass).toBe(true);
    await noneAlive(pids);
  });

  it("fails the run naming the process that died, and leaves no process behind", async ({
    onTestFinished,
  }) => {
    const cli = startScenarioCli(["smoke", "--producers", "2", "--duration", "60s"], {}, onTestFinished);
    const pids = await driverPids(cli);
    await loadRuns(cli, 5);
    process.kill(pids[1] as number, "SIGKILL");
    const code = await cli.exited;
    expect(code, cli.stderr().slice(-3_000)).toBe(2);
    expect(cli.stderr()).toContain(`load driver process 1 of 2 (pid ${pids[1]}) was killed by SIGKILL`);
    await noneAlive(pids);
  });

  it("stops every driver process on Ctrl-C and verifies what they sent", async ({ onTestFinished }) => {
    const cli = startScenarioCli(["smoke", "--producers", "2", "--duration", "60s"], {}, onTestFinished);
    const pids = await driverPids(cli);
    await loadRuns(cli, 6);
    cli.child.kill("SIGINT");
    const code = await cli.exited;
    expect(code, cli.stderr().slice(-3_000)).toBe(130);
    const result = report(cli);
    expect(result.verdict).toBe("interrupted");
    expect(result.ledger.total).toBeGreaterThan(500);
    expect(result.recount).toEqual(result.ledger);
    await noneAlive(pids);
  });
});
