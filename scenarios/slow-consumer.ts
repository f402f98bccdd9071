import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "slow-consumer",
  description:
    "1 500 logins/s for 80 s over 3 partitions and 2 aggregators; from 15 s to 60 s the lab holds every aggregator " +
    "below that rate from outside the pipeline (SIGSTOP for 99 % of every 2 s, then SIGCONT), then lets go. The " +
    "throttle outlasts the lag status's 30 s window, so that WARN can show. The aggregator on librdkafka counts " +
    "some 70,000 events/s while awake, so anything above 2 % awake lets it keep up.",
  summary: "aggregators throttled below the produce rate for 45 s; lag grows, status goes WARN, then drains",
  proves:
    "A consumer slower than its input shows as growing lag and a WARN (or worse) lag status while it is slow, and " +
    "the lag drains back to its level before, and the status to OK, once it keeps up again; the counts stay exact.",
  load: { kind: "constant", rate: 1_500 },
  durationMs: 80_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 3, consumers: 2, brokers: 1, kraft: false },
  windowMs: 2_000,
  malformed: 0.01,
  seed: 21,
  faults: [
    {
      atMs: 15_000,
      action: "throttle-consumer",
      target: "consumer:*",
      dutyPercent: 99,
      periodMs: 2_000,
      forMs: 45_000,
    },
  ],
  thresholds: { drainWithinMs: 60_000, exact: true },
});
