import type { Assertion } from "../core/assertion.ts";
import type { UnexpectedExit } from "../infra/types.ts";

/**
 * A broker (or ZooKeeper) that died when no fault asked for it fails the run by name, with its own log
 * line: otherwise a dead broker shows only as figures that look like a replication problem. Only for a
 * stack that watches its processes (local); testcontainers and external stacks add no such check.
 */
export function brokerDeathsAssertion(exits: readonly UnexpectedExit[], loadStartMs: number): Assertion {
  return {
    name: "no broker died unasked",
    relation: "=",
    expectedValue: 0,
    observedValue: exits.length,
    unit: "processes",
    expected: "0 deaths",
    observed: exits.length === 0 ? "0 deaths" : exits.map((e) => e.service).join(", "),
    pass: exits.length === 0,
    ...(exits.length > 0 ? { detail: exits.map((e) => describeDeath(e, loadStartMs)).join("; ") } : {}),
  };
}

/** `broker-3 (broker 3) exited at 24.1 s with exit code 1: "…its log line…"` */
function describeDeath(exit: UnexpectedExit, loadStartMs: number): string {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const who = exit.brokerId === undefined ? exit.service : `${exit.service} (broker ${exit.brokerId})`;
  const line = exit.lastError === undefined ? "it logged no error line" : `"${exit.lastError}"`;
  return `${who} exited at ${((exit.at - loadStartMs) / 1000).toFixed(1)} s with ${how}: ${line}`;
}
