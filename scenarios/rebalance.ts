import { defineScenario } from "../harness/scenario/types.ts";

export default defineScenario({
  name: "rebalance",
  description:
    "One aggregator reads 6 partitions at 500 logins/s for 30 s; two more join at 5 s and 9 s, and leave " +
    "again (SIGTERM) at 18 s and 22 s: 1 → 3 → 1 under load.",
  summary: "scale aggregators 1 → 3 → 1 under load; every event counted once",
  proves:
    "Partitions move on every join and leave without losing or double-counting a record; the lag and " +
    "aggregated-rate series show the pause each rebalance caused.",
  load: { kind: "constant", rate: 500 },
  durationMs: 30_000,
  drainTimeoutMs: 60_000,
  topology: { partitions: 6, consumers: 1, brokers: 1, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 13,
  faults: [
    { atMs: 5_000, action: "add-consumer", target: "consumer:1" },
    { atMs: 9_000, action: "add-consumer", target: "consumer:2" },
    { atMs: 18_000, action: "remove-consumer", target: "consumer:2" },
    { atMs: 22_000, action: "remove-consumer", target: "consumer:1" },
  ],
  thresholds: { drainWithinMs: 60_000, exact: true },
});
