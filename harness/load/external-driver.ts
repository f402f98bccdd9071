import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ProducerSummary } from "../../pipeline/producer/producer.ts";
import type { Clock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { ManagedProcess } from "../infra/local/process.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";

/** How an external load driver ended. */
export interface DriverExit {
  command: string;
  code: number | null;
  signal: string | null;
  /** True when the lab stopped it: the load's duration was over, or the run was interrupted. */
  stoppedByLab: boolean;
  logFile: string;
  /** The last lines it printed. */
  logTail: string;
}

export interface ExternalDriverOptions {
  /** Run with `/bin/sh -c` from the repository root, in a process group of its own. */
  command: string;
  /** What it is told (see driver-env.ts), on top of the lab's own environment. */
  env: Record<string, string>;
  logDir: string;
  clock: Clock;
  /** The load's duration: a driver still running `LATE_GRACE_MS` after it is stopped (SIGTERM, then SIGKILL). */
  durationMs: number;
  /** Aborted on Ctrl-C: the driver is stopped the same way. */
  signal: AbortSignal;
  /** The records in the input topic so far (end offsets minus the run's start): the driver's output. */
  written: () => Promise<number>;
}

/** What the send loop would have counted, read from the topic, with how the driver ended. */
export type ExternalDriverRun = ProducerSummary & { exit: DriverExit };

/** A driver that times the load itself starts a moment late (k6, a JVM): it may end this much late too. */
const LATE_GRACE_MS = 10_000;
/** A driver that does not stop on SIGTERM gets this long before SIGKILL. */
const STOP_GRACE_MS = 10_000;
/** `/bin/sh`'s exit codes for a command it could not run: not executable, not found. */
const COULD_NOT_START = new Set([126, 127]);

/**
 * Runs a load driver of one's own in place of the lab's: until it exits, or until the load's duration (and
 * a grace for a late start) is over or the run is interrupted, when the lab stops it. It keeps no ledger, so the summary counts what it
 * left in the topic; a command the shell could not run at all is a usage error (exit 2), any other
 * non-zero exit is judged by `driverExitAssertion` and fails the run.
 */
export async function runExternalDriver(options: ExternalDriverOptions): Promise<ExternalDriverRun> {
  const { clock } = options;
  mkdirSync(options.logDir, { recursive: true });
  const driver = new ManagedProcess({
    name: "driver",
    command: "/bin/sh",
    args: ["-c", options.command],
    env: { ...process.env, ...options.env },
    cwd: REPO_ROOT,
    logFile: join(options.logDir, "driver.log"),
  });
  const startMs = clock.now();
  driver.start();
  const aborted = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await Promise.race([driver.waitForExit(options.durationMs + LATE_GRACE_MS), aborted]);
  const stoppedByLab = driver.running;
  if (stoppedByLab) await driver.terminate(STOP_GRACE_MS);
  const elapsedMs = clock.now() - startMs;
  const exit: DriverExit = {
    command: options.command,
    code: driver.exit?.code ?? null,
    signal: driver.exit?.signal ?? null,
    stoppedByLab,
    logFile: driver.spec.logFile,
    logTail: driver.logTail(10),
  };
  if (driver.spawnError || (!stoppedByLab && COULD_NOT_START.has(exit.code ?? -1))) {
    throw new LabError(
      "USAGE",
      `the driver command could not start (${driver.spawnError?.message ?? `exit ${exit.code}`}): ${options.command}\n${exit.logTail}`,
      {
        hint: "check that the command is installed and on PATH for /bin/sh, run from the repository root; --driver-command is run as /bin/sh -c CMD",
      },
    );
  }
  const records = await options.written();
  return {
    sent: records,
    acked: records,
    failed: 0,
    unsent: 0,
    elapsedMs,
    achievedPerSec: records / Math.max(0.001, elapsedMs / 1000),
    maxSendDelayMs: 0,
    exit,
  };
}
