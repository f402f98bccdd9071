import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../core/wait-for.ts";
import { ManagedProcess } from "../infra/local/process.ts";
import { DutyCycle } from "./duty-cycle.ts";

/** The state letter in /proc/<pid>/stat: T when stopped, S or R when running. */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

const started: ManagedProcess[] = [];
const dirs: string[] = [];

/** A real child in its own process group, as the fleet starts aggregators. */
function child(): { process: ManagedProcess; pid: number } {
  const dir = mkdtempSync(join(tmpdir(), "duty-cycle-"));
  dirs.push(dir);
  const process = new ManagedProcess({
    name: "sleeper",
    command: "sleep",
    args: ["30"],
    logFile: join(dir, "sleeper.log"),
  });
  started.push(process);
  return { process, pid: process.start() };
}

/** Waits until the cycle has sent the process its first SIGSTOP. */
async function stoppedOnce(pid: number): Promise<void> {
  await waitFor(() => (state(pid) === "T" ? true : undefined), {
    what: `pid ${pid} to be stopped`,
    timeoutMs: 5_000,
    intervalMs: 10,
    describe: () => `state ${state(pid)}`,
  });
}

/** Reads the state every 10 ms until `done` settles; returns the share of readings that were stopped. */
async function stoppedShare(pid: number, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const states: string[] = [];
  while (!finished) {
    states.push(state(pid));
    await sleep(10);
  }
  return states.filter((s) => s === "T").length / states.length;
}

afterEach(async () => {
  for (const p of started.splice(0)) await p.terminate(1_000);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("DutyCycle on a real process", () => {
  it("stops the process for its duty share of each period, and leaves it running at the end", async () => {
    const { process, pid } = child();
    const cycle = new DutyCycle(process, { dutyPercent: 70, periodMs: 400, forMs: 2_000 });
    const share = await stoppedShare(pid, cycle.done);
    const outcome = await cycle.done;
    expect(share).toBeGreaterThan(0.55);
    expect(share).toBeLessThan(0.85);
    expect(outcome.endedBy).toBe("span");
    expect(outcome.cycles).toBe(5);
    expect(outcome.stoppedMs).toBeGreaterThanOrEqual(1_350);
    expect(outcome.stoppedMs).toBeLessThan(1_700);
    expect(state(pid)).not.toBe("T");
  });

  it("leaves the process running when released while it is stopped", async () => {
    const { process, pid } = child();
    const cycle = new DutyCycle(process, { dutyPercent: 90, periodMs: 1_000, forMs: 10_000 });
    await stoppedOnce(pid);
    const outcome = await cycle.release();
    expect(outcome).toMatchObject({ endedBy: "release", cycles: 1 });
    expect(state(pid)).not.toBe("T");
  });

  it("says the process is lost when it exits during the throttle", async () => {
    const { process, pid } = child();
    const cycle = new DutyCycle(process, { dutyPercent: 50, periodMs: 200, forMs: 5_000 });
    await stoppedOnce(pid);
    await process.terminate(1_000);
    const outcome = await cycle.done;
    expect(outcome.lost).toMatch(/could not be sent SIGSTOP/);
    expect(outcome.cycles).toBeGreaterThanOrEqual(1);
  });
});
