import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "poison-pill",
  description:
    "A flood of bad records mixed into normal load: 200 logins/s for 25 s, a quarter of them malformed, " +
    "taking every malformed kind in turn (bad UTF-8 and JSON, missing fields, records over 64 KiB and " +
    "records near Kafka's 1 MB limit).",
  summary: "25 % malformed records of every kind, near-1 MB ones included; DLQ and counts exact",
  proves:
    "No bad record stops or wedges the aggregators: every one goes to the dead-letter topic with its " +
    "reason, and every valid one is counted once.",
  load: { kind: "constant", rate: 200 },
  durationMs: 25_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 3, consumers: 2, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.25,
  seed: 17,
  thresholds: { drainWithinMs: 60_000, exact: true },
});
