import { defineScenario } from "../harness/scenario/types.ts";
import { BROKER_FAULT_RUN } from "./shared/broker-faults.ts";

export default defineScenario({
  name: "controller-failure",
  description:
    "3 KRaft nodes, each a broker and a controller voter (RF 3, min ISR 2, acks=all), 500 logins/s for 40 s; " +
    "at 8 s the active controller at that moment is SIGKILLed (a broker with it), and it is started again at 22 s.",
  summary: "SIGKILL the active KRaft controller under load, restart it later; 0 acknowledged events lost",
  proves:
    "Losing the active controller (a new one is elected from the quorum) and the broker beside it loses no " +
    "acknowledged write and counts none twice; the report names the broker the fault hit and the " +
    "under-replicated partitions' time back to 0.",
  ...BROKER_FAULT_RUN,
  durationMs: 40_000,
  topology: { ...BROKER_FAULT_RUN.topology, kraft: true },
  seed: 17,
  faults: [
    { atMs: 8_000, action: "kill", target: "controller" },
    { atMs: 22_000, action: "restart", target: "controller" },
  ],
});
