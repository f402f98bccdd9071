import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "soak",
  description:
    "A steady 1 000 logins/s for an hour (set another length with --duration) over 3 partitions and 2 consumers. " +
    "The RSS and heap of the lab and of each aggregator are sampled every second; what each keeps (its heap's " +
    "lowest each minute) must not grow faster than the threshold over the steady part.",
  summary: "1 000/s for 1 h (--duration); memory of the lab and the aggregators stays flat",
  proves:
    "Over a long run nothing grows with the events: the lab keeps histograms and bounded series, the aggregators " +
    "keep only their open windows, and the counts stay exact.",
  load: { kind: "constant", rate: 1_000 },
  durationMs: 3_600_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 3, consumers: 2, brokers: 1, kraft: false },
  windowMs: 10_000,
  malformed: 0.01,
  seed: 4,
  thresholds: {
    drainWithinMs: 60_000,
    minAchievedRateShare: 0.95,
    maxMemoryGrowthMBPerHour: 100,
    exact: true,
  },
});
