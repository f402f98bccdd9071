import { defineScenario } from "../harness/scenario/types.ts";
import { MALFORMED_KINDS } from "../pipeline/events/generator.ts";

export default defineScenario({
  name: "high-load",
  description:
    "A max-rate search: from 2 000 logins/s, ×1.5 every 10 s while the pipeline keeps up (lag not growing, " +
    "the driver on schedule), up to 200 000/s; after the first failing step it bisects between the last " +
    "sustained and the first failing rate until they are within 5 %, pausing at rate 0 for 10 s after each " +
    "failing step so that the pipeline catches up; then 90 % of the highest sustained rate held for 60 s.",
  summary: "search for the highest sustainable rate, then hold 90 % of it for 60 s",
  proves:
    "The highest rate this machine sustains with bounded lag, and that at 90 % of it the pipeline still " +
    "counts exactly and drains.",
  load: {
    kind: "search",
    startRate: 2_000,
    factor: 1.5,
    stepMs: 10_000,
    maxRate: 200_000,
    holdShare: 0.9,
    holdMs: 60_000,
  },
  durationMs: 240_000,
  drainTimeoutMs: 120_000,
  topology: { partitions: 12, consumers: 3, brokers: 1, kraft: false },
  // Short windows: each 10 s step sees several commits, so a rising lag floor can be told from the sawtooth.
  windowMs: 2_000,
  malformed: 0.01,
  malformedKinds: MALFORMED_KINDS.filter((kind) => kind !== "too_large" && kind !== "near_kafka_limit"),
  seed: 3,
  thresholds: { drainWithinMs: 120_000, exact: true },
});
