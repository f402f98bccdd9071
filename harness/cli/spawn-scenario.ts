import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { REPO_ROOT } from "../infra/local/provision.ts";

export interface CliRun {
  code: number | null;
  stderr: string;
  reportDir: string;
}

/**
 * Runs `npm run scenario -- …` the way a user does, for the integration tests (node runs the CLI
 * directly so signals reach it). Each run writes its reports to a fresh folder.
 */
export function scenarioCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
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
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    child.once("exit", (code) => resolve({ code, stderr, reportDir }));
  });
}
