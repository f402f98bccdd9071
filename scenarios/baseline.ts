import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "baseline",
  description:
    "A steady, moderate load: 2 000 logins/s for 90 s over 6 partitions shared by 2 consumers, " +
    "with 10 s aggregation windows. Its figures are the reference that later runs are compared with.",
  summary: "2 000/s for 90 s, 6 partitions, 2 consumers; the reference run",
  proves:
    "At a moderate steady rate the pipeline keeps up (bounded lag, send rate on target), counts exactly, " +
    "and reports its end-to-end latency within one aggregation window plus commit time.",
  load: { kind: "constant", rate: 2_000 },
  durationMs: 90_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 6, consumers: 2, brokers: 1, kraft: false },
  windowMs: 10_000,
  malformed: 0.01,
  seed: 2,
  thresholds: {
    maxLagSeconds: 30,
    drainWithinMs: 30_000,
    minAchievedRateShare: 0.95,
    maxP99LatencyMs: 30_000,
    exact: true,
  },
});
