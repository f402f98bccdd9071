import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAlive } from "../../core/process-alive.ts";
import { waitFor } from "../../core/wait-for.ts";
import { cleanupStaleRuns, RunFolder } from "./run-registry.ts";

describe("run registry", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "lab-runs-"));
    process.env.LAB_RUNS_DIR = root;
  });
  afterEach(() => {
    delete process.env.LAB_RUNS_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it("kills what a crashed run left running and removes its folder", async () => {
    // A lab process that starts a child and then dies by SIGKILL, leaving the child behind.
    const script = `
      import { spawn, spawnSync } from "node:child_process";
      import { RunFolder } from ${JSON.stringify(join(import.meta.dirname, "run-registry.ts"))};
      const run = RunFolder.create(new Date());
      // The run folder in the command line is how a later start knows the process is the run's own.
      const child = spawn("sh", ["-c", "sleep 60 # " + run.dir], { detached: true, stdio: "ignore" });
      run.recordProcess("sleeper", child.pid);
      console.log(JSON.stringify({ dir: run.dir, pid: child.pid }));
      process.kill(process.pid, "SIGKILL");`;
    const lab = spawnSync("npx", ["tsx", "--eval", script], { encoding: "utf8", env: process.env });
    const { dir, pid } = JSON.parse(lab.stdout.trim()) as { dir: string; pid: number };
    expect(isAlive(pid)).toBe(true);

    const seen: string[] = [];
    cleanupStaleRuns((line) => seen.push(line));
    await waitFor(() => (isAlive(pid) ? undefined : true), { what: "the orphan to die", timeoutMs: 5_000 });
    expect(existsSync(dir)).toBe(false);
    expect(seen.join("\n")).toContain(`sleeper (pid ${pid})`);
  });

  it("leaves alone a run that this process still has going", () => {
    const run = RunFolder.create(new Date());
    cleanupStaleRuns(() => {});
    expect(existsSync(run.dir)).toBe(true);
    run.finish([]);
  });

  it("never kills a process whose command line is not the run's", async () => {
    const run = RunFolder.create(new Date());
    const stranger = spawn("sleep", ["30"], { stdio: "ignore" });
    run.recordProcess("reused-pid", stranger.pid as number);
    cleanupStaleRuns(() => {});
    expect(isAlive(stranger.pid as number)).toBe(true);
    stranger.kill("SIGKILL");
  });

  it("keeps the newest finished runs' logs and prunes older ones", () => {
    const runs = Array.from({ length: 7 }, (_, i) => RunFolder.create(new Date(Date.UTC(2026, 0, 1, 0, i))));
    for (const run of runs) run.finish([]);
    cleanupStaleRuns(() => {});
    expect(readdirSync(root)).toHaveLength(5);
    expect(existsSync((runs[6] as RunFolder).dir)).toBe(true);
    expect(existsSync((runs[0] as RunFolder).dir)).toBe(false);
  });
});
