import { defineScenario } from "../harness/scenario/types.ts";
import { BROKER_FAULT_RUN } from "./shared/broker-faults.ts";

export default defineScenario({
  name: "broker-pause",
  description:
    "A hung broker: 3 brokers (RF 3, min ISR 2), 500 logins/s for 40 s; broker 2 is frozen with SIGSTOP " +
    "at 5 s for 22 s, past its 18 s ZooKeeper session timeout, then SIGCONT.",
  summary: "SIGSTOP one of 3 brokers past its session timeout, then SIGCONT; every event counted once",
  proves:
    "A broker that hangs rather than dies (no connection reset, requests just stall) costs latency and " +
    "lag but no acknowledged event, and counts none twice.",
  ...BROKER_FAULT_RUN,
  durationMs: 40_000,
  seed: 15,
  faults: [
    { atMs: 5_000, action: "pause", target: "broker:2" },
    { atMs: 27_000, action: "resume", target: "broker:2" },
  ],
});
