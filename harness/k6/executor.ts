import { UsageError } from "../core/errors.ts";
import type { LoadProfile } from "../scenario/types.ts";

/** A k6 duration: whole seconds where they are whole, else milliseconds (k6 reads both). */
export function k6Duration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${Math.round(ms)}ms`;
}

export interface K6Stage {
  target: number;
  duration: string;
}

/** The open-model k6 executor of a scenario's profile; each iteration sends `eventsPerIteration` events. */
export type K6Executor = {
  preAllocatedVUs: number;
  maxVUs: number;
  /** Iterations are counted per this period: `eventsPerIteration` seconds, so rate and target read as events/s. */
  timeUnit: string;
  eventsPerIteration: number;
} & (
  | { executor: "constant-arrival-rate"; rate: number; duration: string }
  | { executor: "ramping-arrival-rate"; startRate: number; stages: K6Stage[] }
);

/** Above this many iterations a second one k6 VU loop costs more than the events it sends. */
const MAX_ITERATIONS_PER_SECOND = 1_000;
/** A synchronous produce with acks=all takes a few milliseconds; VUs enough for this long a call at the peak. */
const PRODUCE_SECONDS = 0.05;

/**
 * Maps a scenario's load profile onto k6's open-model executors, as the lab's own driver follows it:
 * constant → `constant-arrival-rate`; ramp, step and spike → `ramping-arrival-rate` stages (a jump is a
 * stage of 0 s). A max-rate search decides its next rate from what the pipeline did, which a k6 script
 * cannot know, so it is refused. At high rates each iteration sends several events, and `timeUnit` grows
 * with them, so `rate` and every `target` stay in events per second.
 */
export function k6Executor(load: LoadProfile, durationMs: number, scenarioName: string): K6Executor {
  if (load.kind === "search")
    throw new UsageError(
      `${scenarioName} searches for the highest sustained rate, deciding each step from what the pipeline did; a k6 script cannot follow that`,
      "write a script for a scenario with a fixed profile (constant, ramp, step or spike), e.g. smoke or spike",
    );
  const peak = peakRate(load);
  const eventsPerIteration = Math.max(1, Math.ceil(peak / MAX_ITERATIONS_PER_SECOND));
  const preAllocatedVUs = Math.max(5, Math.ceil((peak / eventsPerIteration) * PRODUCE_SECONDS));
  const common = {
    preAllocatedVUs,
    maxVUs: preAllocatedVUs * 4,
    timeUnit: `${eventsPerIteration}s`,
    eventsPerIteration,
  };
  if (load.kind === "constant")
    return {
      executor: "constant-arrival-rate",
      rate: Math.round(load.rate),
      duration: k6Duration(durationMs),
      ...common,
    };
  const { startRate, pieces } = piecesOf(load, durationMs);
  return {
    executor: "ramping-arrival-rate",
    startRate: Math.round(startRate),
    stages: stagesOf(startRate, pieces, durationMs),
    ...common,
  };
}

function peakRate(load: Exclude<LoadProfile, { kind: "search" }>): number {
  switch (load.kind) {
    case "constant":
      return load.rate;
    case "ramp":
      return Math.max(load.from, load.to);
    case "step":
      return Math.max(...load.steps.map((s) => s.rate));
    case "spike":
      return Math.max(load.base, load.peak);
  }
}

/** A stretch of the profile: the rate moves linearly from `from` to `to` over `ms` (until the end if Infinity). */
interface Piece {
  from: number;
  to: number;
  ms: number;
}

function piecesOf(
  load: Exclude<LoadProfile, { kind: "search" | "constant" }>,
  durationMs: number,
): { startRate: number; pieces: Piece[] } {
  switch (load.kind) {
    case "ramp":
      return { startRate: load.from, pieces: [{ from: load.from, to: load.to, ms: durationMs }] };
    case "step":
      return {
        startRate: load.steps[0]?.rate ?? 0,
        pieces: load.steps.map((s, i) => ({
          from: s.rate,
          to: s.rate,
          ms: i === load.steps.length - 1 ? Infinity : s.holdMs,
        })),
      };
    case "spike":
      return {
        startRate: load.base,
        pieces: [
          { from: load.base, to: load.base, ms: load.atMs },
          { from: load.peak, to: load.peak, ms: load.forMs },
          { from: load.base, to: load.base, ms: Infinity },
        ],
      };
  }
}

/** Stages up to `durationMs`: a jump to a piece's rate is a 0 s stage, then the piece itself. */
function stagesOf(startRate: number, pieces: Piece[], durationMs: number): K6Stage[] {
  const stages: K6Stage[] = [];
  let rate = startRate;
  let at = 0;
  for (const piece of pieces) {
    if (at >= durationMs) break;
    if (piece.from !== rate) stages.push({ target: Math.round(piece.from), duration: "0s" });
    const ms = Math.min(piece.ms, durationMs - at);
    if (ms > 0) stages.push({ target: Math.round(piece.to), duration: k6Duration(ms) });
    rate = piece.to;
    at += ms;
  }
  return stages;
}
