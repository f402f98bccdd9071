import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "spike",
  description:
    "1 000 logins/s with a spike to 10 000/s (10×) for 30 s, 30 s in, over 6 partitions and 2 consumers. " +
    "The lag peaks during the spike and must drain back to its level before it within the drain bound.",
  summary: "10× the base rate for 30 s; reports the peak lag and the drain time",
  proves:
    "A burst ten times the steady rate is absorbed: the lag peaks and comes back to where it was within 60 s of " +
    "the spike's end, and the counts stay exact.",
  load: { kind: "spike", base: 1_000, peak: 10_000, atMs: 30_000, forMs: 30_000 },
  durationMs: 120_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 6, consumers: 2, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.01,
  seed: 5,
  thresholds: { drainWithinMs: 60_000, exact: true },
});
