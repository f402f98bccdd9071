import { spawn } from "node:child_process";
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

/**
 * Runs `npm run scenario -- …` the way a user does, for the integration tests (node runs the CLI directly so
 * signals reach it). Each run writes its reports to a fresh folder. A concurrent test passes its own
 * context's `onTestFinished`, so the run is ended with the test that started it.
 */
export function scenarioCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  whenFinished: typeof onTestFinished = onTestFinished,
): Promise<CliRun> {
  const reportDir = mkdtempSync(join(tmpdir(), "lab-report-"));
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "harness/cli/scenario.ts", ...args, "--report-dir", reportDir],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    whenFinished(() => {
      child.kill("SIGKILL");
    });
    child.once("exit", (code) => resolve({ code, stderr, reportDir }));
  });
}

export function readResult(dir: string): RunResult {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunResult;
}

/** The names of the assertions a run failed. */
export function failedAssertions(result: RunResult): string[] {
  return result.assertions.filter((a) => !a.pass).map((a) => a.name);
}
