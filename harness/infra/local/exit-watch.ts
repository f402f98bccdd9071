import type { UnexpectedExit } from "../types.ts";
import type { ManagedProcess } from "./process.ts";
import { lastErrorLine } from "./supervised-start.ts";

/**
 * Watches a stack's processes and keeps every exit that no fault and no stop asked for: a broker that died
 * at start-up, was OOM-killed or crashed, with the telling line its last start wrote to its log.
 */
export class ExitWatch {
  readonly deaths: UnexpectedExit[] = [];
  private readonly asked = new Set<ManagedProcess>();
  private readonly logStart = new Map<ManagedProcess, number>();
  private stoppingNow = false;

  /** Call just before each start: the log from here on is this start's. */
  starting(process: ManagedProcess): void {
    this.logStart.set(process, process.logSize());
  }

  watch(process: ManagedProcess, brokerId?: number): void {
    process.onExit(() => {
      if (!this.asked.has(process)) this.record(process, brokerId);
    });
  }

  /** The coming exit of `process` is the timeline's (a kill, a stop, a restart), until `settled`. */
  ask(process: ManagedProcess): void {
    this.asked.add(process);
  }

  settled(process: ManagedProcess): void {
    this.asked.delete(process);
  }

  /** The stack is stopping: exits from here on are its own. */
  stop(): void {
    this.stoppingNow = true;
  }

  get stopping(): boolean {
    return this.stoppingNow;
  }

  /** What the log holds since the last start of `process`. */
  logSinceStart(process: ManagedProcess): string {
    return process.logSince(this.logStart.get(process) ?? 0);
  }

  /** Records `process`, which is not running, as dead unasked, unless the stack is stopping. */
  record(process: ManagedProcess, brokerId: number | undefined): void {
    if (this.stoppingNow) return;
    const line = lastErrorLine(this.logSinceStart(process));
    this.deaths.push({
      service: process.spec.name,
      ...(brokerId === undefined ? {} : { brokerId }),
      at: Date.now(),
      code: process.exit?.code ?? null,
      signal: process.exit?.signal ?? null,
      ...(line === undefined ? {} : { lastError: line }),
    });
  }
}
