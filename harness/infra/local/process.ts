import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";

/** Every child started by this lab process and not yet exited: what a signal or a crash must not leave. */
const live = new Set<ManagedProcess>();
let handlersInstalled = false;
let shutdown: ((signal: NodeJS.Signals) => Promise<void>) | undefined;

/**
 * What to do on SIGINT/SIGTERM before the lab exits: a CLI sets this to stop its stack cleanly (and keep
 * what it measured). Whatever it does, every child still running afterwards is stopped too.
 */
export function onShutdownSignal(handler: (signal: NodeJS.Signals) => Promise<void>): void {
  shutdown = handler;
}

/**
 * On SIGINT/SIGTERM, runs the shutdown handler and stops every child (SIGTERM, then SIGKILL) before the
 * lab exits; on any exit, including an uncaught error, SIGKILLs whatever is still running. A second
 * signal kills at once.
 */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (stopping) {
      killAllNow();
      process.exit(code);
    }
    stopping = true;
    if (live.size > 0 || shutdown) process.stderr.write(`\n${signal}: stopping the lab's processes…\n`);
    void (shutdown?.(signal) ?? Promise.resolve())
      .catch((error: unknown) => process.stderr.write(`while stopping: ${String(error)}\n`))
      .then(() => Promise.all([...live].map((p) => p.terminate(5_000))))
      .finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", killAllNow);
}

function killAllNow(): void {
  for (const p of live) p.signal("SIGKILL");
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * One child process of a run. It gets its own process group (so a kill reaches anything it forks) and
 * writes straight into its log file, so it holds no pipe to us and its output survives for diagnosis.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  private child: ChildProcess | undefined;
  private exitInfo: ProcessExit | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly exitListeners = new Set<(exit: ProcessExit) => void>();
  /** Set when the command could not be started at all (not found, not executable). */
  spawnError: Error | undefined;

  constructor(spec: ProcessSpec) {
    this.spec = spec;
  }

  start(): number {
    installExitHandlers();
    const fd = openSync(this.spec.logFile, "a");
    try {
      const child = spawn(this.spec.command, this.spec.args, {
        cwd: this.spec.cwd,
        env: this.spec.env ?? process.env,
        detached: true,
        stdio: ["ignore", fd, fd],
      });
      this.child = child;
      this.exitInfo = undefined;
      this.spawnError = undefined;
      live.add(this);
      this.exited = new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          live.delete(this);
          this.exitInfo = { code, signal };
          resolve();
          for (const listener of this.exitListeners) listener({ code, signal });
        });
        child.once("error", (error) => {
          live.delete(this);
          this.exitInfo = { code: null, signal: null };
          this.spawnError = error;
          resolve();
        });
      });
      // Let the lab exit even if it forgets a child; stop() and the run registry still clean it up.
      child.unref();
    } finally {
      closeSync(fd);
    }
    return this.child?.pid ?? -1;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** Called at every exit of this process (each start is a new child); returns its unsubscribe. */
  onExit(listener: (exit: ProcessExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Sends a signal to the whole process group. Returns false when there was nothing to signal. */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for exit up to `timeoutMs`; true when it exited. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return result;
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`. SIGCONT first, so that a paused process can act on it.
   * `beforeKill` runs once the grace is over, while the process still hangs (to record where). True when it
   * exited within the grace.
   */
  async terminate(graceMs: number, beforeKill?: () => Promise<unknown>): Promise<boolean> {
    if (!this.running) return true;
    this.signal("SIGCONT");
    this.signal("SIGTERM");
    if (await this.waitForExit(graceMs)) return true;
    await beforeKill?.();
    this.signal("SIGKILL");
    await this.waitForExit(5_000);
    return false;
  }

  logTail(lines = 20): string {
    return tailFile(this.spec.logFile, lines);
  }

  /** Bytes in the log so far: where the next start's lines begin (the log is appended to across starts). */
  logSize(): number {
    try {
      return statSync(this.spec.logFile).size;
    } catch {
      return 0;
    }
  }

  /** What the log holds from byte `offset` on. */
  logSince(offset: number): string {
    try {
      return readFileSync(this.spec.logFile).subarray(offset).toString("utf8");
    } catch {
      return "";
    }
  }
}

export function tailFile(path: string, lines: number): string {
  try {
    const text = readFileSync(path, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log written)";
  }
}
