import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { REPO_ROOT } from "../infra/local/provision.ts";
import type { RunResult } from "../result/types.ts";

export interface CliRun {
  code: number | null;
  stderr: string;
  reportDir: string;
}

/** A scenario CLI still running: its process, what it has printed so far, and its exit. */
export interface RunningCli {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  reportDir: string;
}

/**
 * Starts `npm run scenario -- …` the way a user does, for the integration tests: node runs the CLI directly,
 * so a signal sent to the child reaches the CLI alone. Each run writes its reports to a fresh folder. A
 * concurrent test passes its own context's `onTestFinished`, so the run is ended with the test that started it.
 */
export function startScenarioCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  whenFinished: typeof onTestFinished = onTestFinished,
): RunningCli {
  const reportDir = mkdtempSync(join(tmpdir(), "lab-report-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "harness/cli/scenario.ts", ...args, "--report-dir", reportDir],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  whenFinished(() => {
    child.kill("SIGKILL");
  });
  return { child, stderr: () => stderr, exited, reportDir };
}

/** Runs the scenario CLI to its end (see `startScenarioCli`). */
export async function scenarioCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  whenFinished: typeof onTestFinished = onTestFinished,
): Promise<CliRun> {
  const cli = startScenarioCli(args, env, whenFinished);
  const code = await cli.exited;
  return { code, stderr: cli.stderr(), reportDir: cli.reportDir };
}

export function readResult(dir: string): RunResult {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunResult;
}

/** The names of the assertions a run failed. */
export function failedAssertions(result: RunResult): string[] {
  return result.assertions.filter((a) => !a.pass).map((a) => a.name);
}
