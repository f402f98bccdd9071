import type { ScenarioInput } from "../../harness/scenario/types.ts";

/**
 * What the scenarios that take a broker down share: 500 logins/s into 6 partitions on 3 brokers (RF 3, min
 * ISR 2, acks=all, so one broker down loses no acknowledged write), drained within 90 s, and the
 * under-replicated partitions back to 0 within 120 s.
 */
export const BROKER_FAULT_RUN = {
  load: { kind: "constant", rate: 500 },
  drainTimeoutMs: 90_000,
  topology: { partitions: 6, consumers: 2, brokers: 3, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  thresholds: { drainWithinMs: 90_000, urpZeroWithinMs: 120_000, exact: true },
} as const satisfies Partial<ScenarioInput>;
