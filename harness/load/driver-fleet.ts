import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import { EnvironmentError } from "../core/errors.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";
import { type DriverLedgerPart, type MergedLedger, mergeDriverLedgers } from "./driver-ledger.ts";
import type { AckTimes, DriverInit, FromDriver, ToDriver } from "./driver-messages.ts";

export interface DriverFleetOptions {
  processes: number;
  /** What every process is told; each gets its own slot. */
  init: Omit<DriverInit, "slot">;
  log: (line: string) => void;
}

/** Where the processes' news goes once they run, and what stops them. */
export interface FleetHooks {
  signal?: AbortSignal;
  onAck?: (ack: AckTimes) => void;
  onSendError?: (failure: { error: Error; records: number }) => void;
}

/** Processes connected and waiting, so that the run's clock can start before their schedule does. */
export interface ReadyFleet {
  /** Starts every process's schedule at one shared time, now, and resolves when all are done. */
  run(hooks?: FleetHooks): Promise<FleetRun>;
}

/** What the processes did together: their summaries added up, and their ledgers merged. */
export type FleetRun = ProducerRun & { processes: number; ledger: MergedLedger };

/** The processes start their schedules this long after the last says it is ready, all at one epoch time. */
const START_MARGIN_MS = 100;
const DRIVER_ENTRY = join(REPO_ROOT, "harness/load/driver-process.ts");
const STDERR_TAIL_CHARS = 2_000;

interface Driver {
  index: number;
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ run: ProducerRun; ledger: DriverLedgerPart }>;
  exited: Promise<void>;
}

/** Starts the processes and runs them at once (see `startDriverFleet`). */
export async function runDriverFleet(options: DriverFleetOptions, hooks: FleetHooks = {}): Promise<FleetRun> {
  return (await startDriverFleet(options)).run(hooks);
}

/**
 * Runs the load as N child processes (not threads: a process is what could run on another machine), each
 * with its share of the schedule and its own ledger (driver-process.ts). Resolves once every process is
 * connected and ready; `run` then starts them on one shared time. Ctrl-C (the signal) stops them all; if
 * one dies, the others are killed and the run fails naming it.
 */
export async function startDriverFleet(options: DriverFleetOptions): Promise<ReadyFleet> {
  const { processes } = options;
  const hooks: FleetHooks = {};
  const drivers = Array.from({ length: processes }, (_, index) => startDriver(index, options, hooks));
  options.log(
    `load driver processes: ${processes} (pids ${drivers.map((d) => d.child.pid).join(", ")}), event i sent by process i mod ${processes}`,
  );
  const tell = (message: ToDriver) => {
    for (const { child } of drivers) if (child.connected) child.send(message);
  };
  const killAll = async () => {
    for (const { child } of drivers) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await Promise.all(drivers.map((d) => d.exited));
  };
  try {
    await Promise.all(drivers.map((d) => d.ready));
  } catch (error) {
    await killAll();
    throw error;
  }
  return {
    run: async (given = {}) => {
      Object.assign(hooks, given);
      const onAbort = () => tell({ type: "stop" });
      try {
        tell({ type: "start", atMs: Date.now() + START_MARGIN_MS });
        if (hooks.signal?.aborted) onAbort();
        else hooks.signal?.addEventListener("abort", onAbort, { once: true });
        const results = await Promise.all(drivers.map((d) => d.done));
        await Promise.all(drivers.map((d) => d.exited));
        return combine(results, processes);
      } catch (error) {
        await killAll();
        throw error;
      } finally {
        hooks.signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

function startDriver(index: number, options: DriverFleetOptions, hooks: FleetHooks): Driver {
  const { processes } = options;
  const child = fork(DRIVER_ENTRY, [], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  });
  let failure: string | undefined;
  let markReady: () => void = () => {};
  let markDone: (result: { run: ProducerRun; ledger: DriverLedgerPart }) => void = () => {};
  let markDead: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<{ run: ProducerRun; ledger: DriverLedgerPart }>((resolve, reject) => {
    markDone = resolve;
    markDead = reject;
  });
  let finished = false;
  child.on("message", (message: FromDriver) => {
    switch (message.type) {
      case "ready":
        return markReady();
      case "acks":
        for (const ack of message.acks) hooks.onAck?.(ack);
        return;
      case "send-error":
        return hooks.onSendError?.({ error: new Error(message.message), records: message.records });
      case "done":
        finished = true;
        return markDone({ run: message.run, ledger: message.ledger });
      case "failed":
        failure = message.message;
    }
  });
  const name = `load driver process ${index} of ${processes} (pid ${child.pid})`;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve();
      if (finished) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const why =
        failure ?? (stderr.trim() ? `its last output: ${stderr.trim().slice(-500)}` : "it said nothing");
      markDead(
        new EnvironmentError(
          `${name} ${how} before it finished: ${why}`,
          signal === "SIGKILL"
            ? "something killed it (the kernel's out-of-memory killer, or a person); run again, or with fewer --producers"
            : "run again with --producers 1 to see the driver's error in this process",
        ),
      );
    }),
  );
  // A death before `ready` must end the wait for readiness too.
  const readyOrDead = Promise.race([ready, done.then(() => {})]);
  done.catch(() => {});
  child.send({ type: "init", init: { ...options.init, slot: { index, processes } } } satisfies ToDriver);
  return { index, child, ready: readyOrDead, done, exited };
}

function combine(results: { run: ProducerRun; ledger: DriverLedgerPart }[], processes: number): FleetRun {
  const runs = results.map((r) => r.run);
  const sum = (pick: (run: ProducerRun) => number) => runs.reduce((n, run) => n + pick(run), 0);
  const acked = sum((r) => r.acked);
  const elapsedMs = Math.max(...runs.map((r) => r.elapsedMs));
  return {
    sent: sum((r) => r.sent),
    acked,
    failed: sum((r) => r.failed),
    unsent: sum((r) => r.unsent),
    elapsedMs,
    achievedPerSec: elapsedMs > 0 ? (acked * 1000) / elapsedMs : 0,
    maxSendDelayMs: Math.max(...runs.map((r) => r.maxSendDelayMs)),
    client: runs[0]?.client ?? "kafkajs",
    processes,
    ledger: mergeDriverLedgers(results.map((r) => r.ledger)),
  };
}
