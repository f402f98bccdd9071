import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../../core/process-alive.ts";

/** Where the lab keeps what it downloads and what each run writes: outside the repository. */
export function labHome(): string {
  return process.env.LAB_HOME ?? join(homedir(), ".cache", "login-pipeline-lab");
}

interface OwnerFile {
  ownerPid: number;
  startedAt: string;
  processes: { name: string; pid: number }[];
  stopped?: string;
}

const KEEP_FINISHED_RUNS = 5;
/** Runs of this process that are still going: never stale, whatever their owner pid says. */
const activeRuns = new Set<string>();

/**
 * One folder per run holds its data, logs and the pids of its processes. The pid list lets a later start
 * find and remove what a crashed run (one killed with SIGKILL, say) left running.
 */
export class RunFolder {
  readonly dir: string;
  private readonly ownerFile: string;
  private owner: OwnerFile;

  private constructor(dir: string, owner: OwnerFile) {
    this.dir = dir;
    this.ownerFile = join(dir, "run.json");
    this.owner = owner;
    activeRuns.add(dir);
    this.save();
  }

  static create(now: Date): RunFolder {
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    const dir = join(runsRoot(), `${stamp}-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    return new RunFolder(dir, { ownerPid: process.pid, startedAt: now.toISOString(), processes: [] });
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  recordProcess(name: string, pid: number): void {
    this.owner.processes.push({ name, pid });
    this.save();
  }

  /** Marks the run as cleanly stopped and drops its data, keeping the logs for a later look. */
  finish(dataDirs: string[]): void {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    this.owner.stopped = new Date().toISOString();
    activeRuns.delete(this.dir);
    this.save();
  }

  private save(): void {
    writeFileSync(this.ownerFile, `${JSON.stringify(this.owner, null, 2)}\n`);
  }
}

/** Runs live apart from the download cache, so tests can watch their own runs without a second download. */
function runsRoot(): string {
  return process.env.LAB_RUNS_DIR ?? join(labHome(), "runs");
}

/** True when `pid` is alive and its command line mentions `marker`, so a reused pid is never killed. */
function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    return false;
  }
}

/**
 * Kills what crashed runs left behind and removes their folders; keeps the newest finished runs' logs.
 * Runs whose owner is still alive belong to another lab on this machine and are left alone.
 */
export function cleanupStaleRuns(log: (line: string) => void): void {
  const root = runsRoot();
  if (!existsSync(root)) return;
  const finished: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    let owner: OwnerFile;
    try {
      owner = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as OwnerFile;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (owner.stopped) {
      finished.push(dir);
      continue;
    }
    if (activeRuns.has(dir)) continue;
    if (owner.ownerPid !== process.pid && isAlive(owner.ownerPid)) continue;
    const killed = owner.processes.filter((p) => isOurs(p.pid, dir));
    for (const p of killed) {
      try {
        process.kill(-p.pid, "SIGKILL");
      } catch {
        // Already gone between the check and the kill.
      }
    }
    if (killed.length > 0) {
      log(
        `removed ${killed.length} process(es) left by a crashed run: ${killed.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  for (const dir of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_RUNS))) {
    rmSync(dir, { recursive: true, force: true });
  }
}
