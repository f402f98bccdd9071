import type { Assertion } from "../../core/assertion.ts";

/** How one aggregator ended at the end of a run: asked to stop (SIGTERM), or already gone unasked. */
export interface StopOutcome {
  index: number;
  pid: number | undefined;
  /** `stopped`: it was running and got SIGTERM; `exited unasked`: it had died with no fault asking it to. */
  how: "stopped" | "exited unasked";
  exit: { code: number | null; signal: string | null } | undefined;
  /** Set when it outlived its grace after SIGTERM and was SIGKILLed. */
  killedAfterGraceMs?: number;
  /** What became of its threads' stacks, taken before the SIGKILL: where it hung. */
  stacks?: string;
  logFile: string;
  /** The last line of its log that reads like an error, for the report. */
  lastErrorLine?: string;
}

/** A clean end is a stop answered by exit 0 within the grace; anything else is a finding about the pipeline. */
export function isClean(outcome: StopOutcome): boolean {
  return outcome.how === "stopped" && outcome.killedAfterGraceMs === undefined && outcome.exit?.code === 0;
}

const ERROR_LINE = /\b(error|fatal|exception|uncaught|unhandled|panic)\b/i;

/** The last line of a log that names an error, trimmed to a readable length. */
export function lastErrorLine(log: string): string | undefined {
  const line = log
    .split("\n")
    .reverse()
    .find((l) => ERROR_LINE.test(l));
  if (line === undefined) return undefined;
  const trimmed = line.trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

export function describeOutcome(o: StopOutcome): string {
  const who = `consumer-${o.index} (pid ${o.pid ?? "unknown"})`;
  const ended =
    o.exit === undefined
      ? "did not exit"
      : o.exit.signal !== null
        ? `ended by ${o.exit.signal}`
        : `exited with code ${o.exit.code}`;
  const what =
    o.how === "exited unasked"
      ? `had exited unasked before the end of the run (${ended})`
      : o.killedAfterGraceMs !== undefined
        ? `did not exit within ${o.killedAfterGraceMs / 1000} s of SIGTERM and was SIGKILLed (${ended})${o.stacks ? `; ${o.stacks}` : ""}`
        : `${ended} on SIGTERM`;
  return `${who} ${what}; log ${o.logFile}${o.lastErrorLine ? `, last error: ${o.lastErrorLine}` : ""}`;
}

/**
 * Every aggregator must leave the way a deployment stops it: exit 0 on SIGTERM within its grace. One that
 * hangs, crashes on the way out or had already died is named here rather than ending the run.
 */
export function stopAssertion(outcomes: StopOutcome[]): Assertion {
  const unclean = outcomes.filter((o) => !isClean(o));
  return {
    name: "aggregators stopped cleanly",
    relation: "=",
    expectedValue: 0,
    observedValue: unclean.length,
    unit: "aggregators",
    expected: "every aggregator exits 0 on SIGTERM",
    observed:
      unclean.length === 0 ? `all ${outcomes.length} did` : `${unclean.length} of ${outcomes.length} did not`,
    pass: unclean.length === 0,
    ...(unclean.length > 0 ? { detail: unclean.map(describeOutcome).join("; ") } : {}),
  };
}
