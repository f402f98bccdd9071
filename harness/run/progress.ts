import { formatDuration } from "../core/clock.ts";
import { formatCount, formatMs, formatRate } from "../core/format.ts";
import type { Snapshot } from "../observe/sample.ts";
import type { TimelineListener } from "../observe/timeline.ts";

export type Phase = "load" | "drain";

/** The live line: elapsed and remaining time, target and achieved rate, lag, p99. */
export function formatProgress(
  scenario: string,
  phase: Phase,
  snapshot: Snapshot,
  durationMs: number,
): string {
  const elapsed = Math.max(0, snapshot.elapsedMs);
  const time =
    phase === "load"
      ? `${formatDuration(elapsed)}/${formatDuration(durationMs)} (${formatDuration(Math.max(0, durationMs - elapsed))} left)`
      : `draining ${formatDuration(Math.max(0, elapsed - durationMs))}`;
  return [
    `[${scenario}] ${time}`,
    `target ${formatRate(snapshot.targetRate)}`,
    `achieved ${formatRate(snapshot.achievedRate)}`,
    `lag ${snapshot.lagOffsets === null ? "?" : formatCount(snapshot.lagOffsets)} (${snapshot.lagSeconds === null ? "?" : snapshot.lagSeconds.toFixed(1)} s) ${snapshot.lagStatus}`,
    `p99 ${snapshot.latencyP99RunMs > 0 ? formatMs(snapshot.latencyP99RunMs) : "–"}`,
  ].join(" · ");
}

/**
 * A reader of the run's timeline that shows each sample of the load and of the drain as the progress line;
 * the samples before and after (the wait for under-replicated partitions) are not shown.
 */
export function progressReader(
  scenario: string,
  durationMs: number,
  show: (line: string) => void,
): TimelineListener {
  let phase: Phase | undefined;
  return (event) => {
    if (event.kind === "phase")
      phase = event.phase === "load" || event.phase === "drain" ? event.phase : undefined;
    else if (event.kind === "sample" && phase)
      show(formatProgress(scenario, phase, event.sample, durationMs));
  };
}

/**
 * On a terminal the line is rewritten in place every second; otherwise (CI logs) a plain line is written
 * every `plainEveryMs`.
 */
export class ProgressPrinter {
  private lastPlainMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEveryMs = 5_000,
  ) {}

  update(line: string, nowMs: number): void {
    if (this.stream.isTTY) {
      const width = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      this.drawn = true;
      return;
    }
    if (nowMs - this.lastPlainMs >= this.plainEveryMs) {
      this.stream.write(`${line}\n`);
      this.lastPlainMs = nowMs;
    }
  }

  /** Ends the live line so that what follows starts on a fresh one. */
  log(line: string): void {
    if (this.drawn) {
      this.stream.write("\r\x1b[2K");
      this.drawn = false;
    }
    this.stream.write(`${line}\n`);
  }
}
