import { setTimeout as sleep } from "node:timers/promises";
import type { Signallable } from "../infra/aggregators/consumer-fleet.ts";

export interface DutyCycleOptions {
  /** Share of each period the process is stopped, in percent. */
  dutyPercent: number;
  periodMs: number;
  forMs: number;
  /** Monotonic milliseconds; injected so a test can read how long the process was stopped. */
  now?: () => number;
}

export interface DutyCycleOutcome {
  cycles: number;
  stoppedMs: number;
  endedBy: "span" | "release";
  /** Set when the process could not be signalled any more (it exited). */
  lost?: string;
}

/**
 * Holds a process below its own speed from outside: SIGSTOP for `dutyPercent` of each period, then SIGCONT,
 * for `forMs`. Whatever ends it — the span, `release()`, the process going away, an error — the last signal
 * it sends is SIGCONT, so it never leaves a frozen process behind.
 */
export class DutyCycle {
  readonly done: Promise<DutyCycleOutcome>;
  private readonly released = new AbortController();

  constructor(
    private readonly target: Signallable,
    private readonly options: DutyCycleOptions,
  ) {
    this.done = this.run();
  }

  /** Ends the cycle now and leaves the process running. */
  release(): Promise<DutyCycleOutcome> {
    this.released.abort();
    return this.done;
  }

  private async run(): Promise<DutyCycleOutcome> {
    const { dutyPercent, periodMs, forMs } = this.options;
    const now = this.options.now ?? (() => performance.now());
    const start = now();
    const stopMs = (periodMs * dutyPercent) / 100;
    let cycles = 0;
    let stoppedMs = 0;
    const outcome = (endedBy: DutyCycleOutcome["endedBy"], lost?: string): DutyCycleOutcome => ({
      cycles,
      stoppedMs: Math.round(stoppedMs),
      endedBy,
      ...(lost ? { lost } : {}),
    });
    try {
      // Periods are laid out from the start, so timers that fire a little late or early do not add a cycle.
      for (let k = 0; k * periodMs < forMs; k += 1) {
        if (this.released.signal.aborted) return outcome("release");
        const periodStart = now();
        if (!this.target.signal("SIGSTOP"))
          return outcome(
            "span",
            `pid ${this.target.pid ?? "?"} could not be sent SIGSTOP: it is not running`,
          );
        cycles += 1;
        await this.wait(start + Math.min(k * periodMs + stopMs, forMs) - now());
        this.target.signal("SIGCONT");
        stoppedMs += now() - periodStart;
        await this.wait(start + Math.min((k + 1) * periodMs, forMs) - now());
      }
      return outcome(this.released.signal.aborted ? "release" : "span");
    } finally {
      this.target.signal("SIGCONT");
    }
  }

  /** Sleeps, but no longer than until `release()`. */
  private async wait(ms: number): Promise<void> {
    if (ms <= 0 || this.released.signal.aborted) return;
    await sleep(ms, undefined, { signal: this.released.signal }).catch(() => {});
  }
}
