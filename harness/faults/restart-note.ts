import type { InfraFault } from "../infra/types.ts";

/** What a restart's record keeps of how the broker came back. */
export type RestartFigures = Pick<InfraFault, "startedAfterMs" | "attempts">;

/** The figures of a restart that reported them (local stack), ready to spread into a FaultRecord. */
export function restartFigures(fault: InfraFault): RestartFigures {
  return {
    ...(fault.startedAfterMs === undefined ? {} : { startedAfterMs: Math.round(fault.startedAfterMs) }),
    ...(fault.attempts === undefined ? {} : { attempts: fault.attempts }),
  };
}

/**
 * "broker 3 served again 24.3 s after its restart, on launch 3 (launches 1–2 died at start-up: "…")": for
 * the fault's note and log line; undefined when the stack did not say.
 */
export function describeRestart(fault: InfraFault, brokerId: number): string | undefined {
  if (fault.startedAfterMs === undefined) return undefined;
  const after = `broker ${brokerId} served again ${(fault.startedAfterMs / 1000).toFixed(1)} s after its restart`;
  const attempts = fault.attempts ?? 1;
  if (attempts <= 1) return after;
  const died = attempts === 2 ? "launch 1" : `launches 1–${attempts - 1}`;
  const why = fault.retriedAfter?.at(-1);
  return `${after}, on launch ${attempts} (${died} died at start-up${why === undefined ? "" : `: "${why}"`})`;
}
