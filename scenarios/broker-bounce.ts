import { defineScenario } from "../harness/scenario/types.ts";
import { BROKER_FAULT_RUN } from "./shared/broker-faults.ts";

export default defineScenario({
  name: "broker-bounce",
  description:
    "A rolling restart under load: 3 brokers (RF 3, min ISR 2), 500 logins/s for 150 s (on a busy 2-core machine each broker took 32–71 s to be back in sync); from 3 s each broker " +
    "in turn is stopped cleanly (SIGTERM, controlled shutdown) and started again, and the next one only once " +
    "every partition is fully in sync (its ISR holds all its replicas, asked of the brokers), as an operator does.",
  summary: "rolling restart of 3 brokers under load, waiting for every partition in sync between them",
  proves:
    "A rolling restart, the way an operator upgrades a cluster, loses no acknowledged event and counts " +
    "none twice; the report gives, per broker, how long the partitions took to be in sync again and the " +
    "under-replicated partitions' time back to 0.",
  ...BROKER_FAULT_RUN,
  durationMs: 150_000,
  seed: 14,
  faults: [{ atMs: 3_000, action: "rolling-restart", target: "broker:*", inSyncTimeoutMs: 120_000 }],
});
