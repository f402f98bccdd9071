import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "consumer-freeze",
  description:
    "Two aggregators share 4 partitions at 300 logins/s for 30 s. At 4 s one is frozen with SIGSTOP for " +
    "14 s, past its 10 s session timeout, so the other takes its partitions; then SIGCONT brings it back " +
    "as a zombie that still holds open windows.",
  summary: "SIGSTOP an aggregator past its session timeout, then SIGCONT: a zombie; exactly once holds",
  proves:
    "A zombie's stale windows never reach the analytics and nothing is lost while its partitions move: " +
    "the fencing of its transactional producers holds.",
  load: { kind: "constant", rate: 300 },
  durationMs: 30_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 4, consumers: 2, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 12,
  faults: [
    { atMs: 4_000, action: "stop-consumer", target: "consumer:0" },
    { atMs: 18_000, action: "resume-consumer", target: "consumer:0" },
  ],
  thresholds: { drainWithinMs: 60_000, exact: true },
});
