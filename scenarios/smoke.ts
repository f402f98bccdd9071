import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "smoke",
  description:
    "A short, gentle run on one broker: 200 logins/s for 20 s over 3 partitions, 2 % of them malformed. " +
    "It checks the whole path end to end in under a minute.",
  summary: "200/s for 20 s on one broker; every event counted exactly once",
  proves:
    "The pipeline counts every valid login exactly once, sends every malformed one to the dead-letter topic, " +
    "and drains its lag within 30 s of the load ending.",
  load: { kind: "constant", rate: 200 },
  durationMs: 20_000,
  drainTimeoutMs: 30_000,
  topology: { partitions: 3, consumers: 1, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 1,
  thresholds: { drainWithinMs: 30_000, minAchievedRateShare: 0.95, exact: true },
});
