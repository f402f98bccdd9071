import { defineScenario } from "../harness/scenario/types.ts";
import { BROKER_FAULT_RUN } from "./shared/broker-faults.ts";

export default defineScenario({
  name: "broker-failure",
  description:
    "3 brokers (RF 3, min ISR 2, acks=all), 500 logins/s for 40 s; at 8 s the broker leading user-login/0 " +
    "at that moment is SIGKILLed, and it is started again at 22 s.",
  summary: "SIGKILL the leader of user-login/0, restart it later; 0 acknowledged events lost",
  proves:
    "Losing a partition leader under load loses no acknowledged write and counts none twice; the report " +
    "names the broker the fault hit and shows the produce errors, the latency spike and the " +
    "under-replicated partitions until the broker is back.",
  ...BROKER_FAULT_RUN,
  durationMs: 40_000,
  seed: 16,
  faults: [
    { atMs: 8_000, action: "kill", target: "leader:user-login/0" },
    { atMs: 22_000, action: "restart", target: "leader:user-login/0" },
  ],
});
