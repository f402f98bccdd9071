import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "broker-bounce",
  description:
    "A rolling restart under load: 3 brokers (RF 3, min ISR 2), 500 logins/s for 45 s, and each broker in " +
    "turn stopped cleanly (SIGTERM, controlled shutdown) and started again, 12 s apart.",
  summary: "clean stop and start of each of 3 brokers in turn under load; every event counted once",
  proves:
    "A rolling restart, the way an operator upgrades a cluster, loses no acknowledged event and counts " +
    "none twice; the broker series show under-replicated partitions return to 0 after each restart.",
  load: { kind: "constant", rate: 500 },
  durationMs: 45_000,
  drainTimeoutMs: 90_000,
  topology: { partitions: 6, consumers: 2, brokers: 3, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 14,
  faults: [
    { atMs: 5_000, action: "restart", target: "broker:1" },
    { atMs: 17_000, action: "restart", target: "broker:2" },
    { atMs: 29_000, action: "restart", target: "broker:3" },
  ],
  thresholds: { drainWithinMs: 90_000, exact: true },
});
