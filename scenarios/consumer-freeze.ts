import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "consumer-freeze",
  description:
    "Two aggregators share 4 partitions at 300 logins/s for 32 s, with 3 s windows. At 6 s one is frozen " +
    "with SIGSTOP for 18 s, past its 10 s session timeout, so the other takes its partitions and commits " +
    "windows of them; then SIGCONT brings it back as a zombie that still holds open windows and producers " +
    "the other has fenced, and the next rebalance hands it the same partitions again.",
  summary: "SIGSTOP an aggregator past its session timeout, then SIGCONT: a zombie; exactly once holds",
  proves:
    "A zombie's stale windows never reach the analytics, and an aggregator that regains partitions it held " +
    "before a freeze neither loses nor double-counts a record: its fenced producers are replaced, its " +
    "failed windows read again.",
  load: { kind: "constant", rate: 300 },
  durationMs: 32_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 4, consumers: 2, brokers: 1, kraft: false },
  windowMs: 3_000,
  malformed: 0.02,
  seed: 12,
  faults: [
    { atMs: 6_000, action: "stop-consumer", target: "consumer:0" },
    { atMs: 24_000, action: "resume-consumer", target: "consumer:0" },
  ],
  thresholds: { drainWithinMs: 60_000, exact: true },
});
