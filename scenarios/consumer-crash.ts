import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "consumer-crash",
  description:
    "Two aggregators share 4 partitions at 300 logins/s for 25 s; three times an aggregator is SIGKILLed " +
    "mid-window, at a moment drawn from the seed, and started again 3 s later.",
  summary: "SIGKILL an aggregator mid-window 3 times at seeded moments; every event counted once",
  proves:
    "A crash at any moment loses nothing and counts nothing twice: the killed aggregator's open window is " +
    "read again from the committed offset, by itself after its restart or by the other one.",
  load: { kind: "constant", rate: 300 },
  durationMs: 25_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 4, consumers: 2, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 11,
  faults: [
    { atMs: 3_000, jitterMs: 2_000, action: "kill-consumer", target: "consumer:0" },
    { atMs: 6_000, action: "restart-consumer", target: "consumer:0" },
    { atMs: 9_000, jitterMs: 2_000, action: "kill-consumer", target: "consumer:1" },
    { atMs: 12_000, action: "restart-consumer", target: "consumer:1" },
    { atMs: 15_000, jitterMs: 2_000, action: "kill-consumer", target: "consumer:0" },
    { atMs: 18_000, action: "restart-consumer", target: "consumer:0" },
  ],
  thresholds: { drainWithinMs: 60_000, exact: true },
});
