import type { ScenarioInput } from "../scenario/types.ts";

/**
 * A valid scenario for tests: 100 logins/s for 10 s into 3 partitions on one KRaft broker, no faults. A test
 * names in `patch` only the fields it is about.
 */
export function sampleScenario(patch: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: "sample",
    description: "A sample scenario.",
    summary: "sample",
    proves: "what the test checks",
    load: { kind: "constant", rate: 100 },
    durationMs: 10_000,
    drainTimeoutMs: 5_000,
    topology: { partitions: 3, consumers: 1, brokers: 1, kraft: true },
    windowMs: 5_000,
    malformed: 0.02,
    seed: 7,
    thresholds: {},
    ...patch,
  };
}
