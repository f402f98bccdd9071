import { NEMESIS_LIMITS_TEXT } from "../harness/scenario/nemesis.ts";
import { defineScenario } from "../harness/scenario/types.ts";
import { MALFORMED_KINDS } from "../pipeline/events/generator.ts";

export default defineScenario({
  name: "chaos",
  description:
    "3 brokers (RF 3, min ISR 2), 6 partitions, 2 aggregators, 1 000 logins/s for 75 s, 2 % malformed; " +
    "the faults are a random schedule drawn from the seed (harness/scenario/nemesis.ts): brokers killed, " +
    "stopped, paused, restarted and rolling-restarted (waiting for in-sync or not), hit by id or as a " +
    "partition's leader, the active controller, the aggregators' group coordinator or a transaction " +
    `coordinator; aggregators killed, frozen, added and removed. Limits: ${NEMESIS_LIMITS_TEXT} ` +
    "--seed N replays seed N's schedule; --seeds 1..20 runs one after another.",
  summary: "a seeded nemesis of broker and aggregator faults; --seed N replays one, --seeds A..B runs many",
  proves:
    "Exactly once holds under any survivable mix of broker and aggregator faults the seed draws, not only " +
    "under the timelines written by hand; a seed that fails is replayed with --seed N.",
  load: { kind: "constant", rate: 1_000 },
  durationMs: 75_000,
  drainTimeoutMs: 120_000,
  topology: { partitions: 6, consumers: 2, brokers: 3, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  // The oversized kinds' megabytes would dwarf the logins' on a 2-core machine under faults.
  malformedKinds: MALFORMED_KINDS.filter((kind) => kind !== "too_large" && kind !== "near_kafka_limit"),
  seed: 1,
  faults: { nemesis: {} },
  thresholds: { drainWithinMs: 120_000, urpZeroWithinMs: 120_000, exact: true },
});
