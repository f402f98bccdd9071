import { LabError } from "../core/errors.ts";
import type { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import type { FaultStep } from "../scenario/types.ts";
import { DutyCycle } from "./duty-cycle.ts";
import type { ThrottleRecord } from "./types.ts";

/** The duty cycle's period when a scenario names none. */
export const DEFAULT_THROTTLE_PERIOD_MS = 1_000;

/**
 * Applies a `throttle-consumer` fault: a SIGSTOP/SIGCONT duty cycle on the process group of each targeted
 * aggregator (`consumer:<i>`, or `consumer:*` for every one running now) for the step's span, and resolves
 * once every process runs again. Each cycle sits in `active` while it runs, so the end of the load can
 * release it early.
 */
export async function throttleConsumers(
  fleet: Pick<ConsumerFleet, "running" | "signallable">,
  step: FaultStep,
  active: Set<DutyCycle>,
  elapsedMs: () => number,
): Promise<ThrottleRecord> {
  const rest = step.target.slice("consumer:".length);
  const indexes = rest === "*" ? fleet.running() : [Number(rest)];
  if (indexes.length === 0) throw new LabError("KAFKA", "no aggregator is running to throttle");
  const options = {
    dutyPercent: step.dutyPercent ?? 0,
    periodMs: step.periodMs ?? DEFAULT_THROTTLE_PERIOD_MS,
    forMs: step.forMs ?? 0,
  };
  const targets = indexes.map((index) => ({ index, process: fleet.signallable(index) }));
  const cycles = targets.map(({ index, process }) => {
    const cycle = new DutyCycle(process, options);
    active.add(cycle);
    return { index, pid: process.pid, cycle };
  });
  const outcomes = await Promise.all(cycles.map(({ cycle }) => cycle.done));
  for (const { cycle } of cycles) active.delete(cycle);
  return {
    ...options,
    releasedAtMs: elapsedMs(),
    endedBy: outcomes.some((o) => o.endedBy === "release") ? "run end" : "span",
    processes: cycles.map(({ index, pid }, i) => {
      const outcome = outcomes[i];
      return {
        consumerIndex: index,
        pid,
        cycles: outcome?.cycles ?? 0,
        stoppedMs: outcome?.stoppedMs ?? 0,
        ...(outcome?.lost ? { lost: outcome.lost } : {}),
      };
    }),
  };
}

/** "stopped 70 % of each 1 s for 20 s, released at 30.0 s (span end): consumer 0 pid 12 20 × / 14.0 s stopped" */
export function describeThrottle(record: ThrottleRecord): string {
  const processes = record.processes
    .map(
      (p) =>
        `consumer ${p.consumerIndex} pid ${p.pid ?? "?"} stopped ${p.cycles}× for ${(p.stoppedMs / 1000).toFixed(1)} s` +
        (p.lost ? ` (${p.lost})` : ""),
    )
    .join(", ");
  const endedBy = record.endedBy === "span" ? "at the end of its span" : "early: the load ended first";
  return (
    `SIGSTOP ${record.dutyPercent} % of each ${record.periodMs / 1000} s for ${record.forMs / 1000} s; ` +
    `SIGCONT at ${(record.releasedAtMs / 1000).toFixed(1)} s, ${endedBy}; ${processes}`
  );
}
