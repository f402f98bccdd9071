import { describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { waitFor } from "../core/wait-for.ts";
import type { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import type { InfraFault, StartedStack } from "../infra/types.ts";
import { validateScenario } from "../scenario/schema.ts";
import { sampleScenario } from "../testing/sample-scenario.ts";
import { faultsAssertion, scheduleFaults } from "./faults.ts";
import type { FaultRecord } from "./types.ts";

const STALE = "ERROR Error while creating ephemeral at /brokers/ids/2, node already exists";

const scenario = validateScenario(
  sampleScenario({
    name: "restart-record",
    durationMs: 1_000,
    topology: { partitions: 1, consumers: 1, brokers: 3, kraft: false },
    faults: [{ atMs: 0, action: "restart", target: "broker:2" }],
  }),
  "restart-record.test.ts",
);

/**
 * The records of the scenario's one restart, on a stack whose fault controls answer `apply` as a local stack
 * would, with no broker behind them.
 */
async function recordsOf(apply: () => Promise<InfraFault>): Promise<FaultRecord[]> {
  let applied = false;
  const stack = {
    faults: {
      apply: () => {
        applied = true;
        return apply();
      },
      history: [],
    },
  } as unknown as StartedStack;
  const faults: FaultRecord[] = [];
  const schedule = scheduleFaults(
    scenario,
    stack,
    {} as ConsumerFleet,
    systemClock.now(),
    systemClock,
    (fault) => faults.push(fault),
    () => {},
  );
  await waitFor(() => (applied ? true : undefined), {
    what: "the restart at 0 s to be applied",
    timeoutMs: 5_000,
    intervalMs: 5,
  });
  await schedule.finish();
  return faults;
}

describe("a broker restart's fault record", () => {
  it("keeps how long the broker took to serve again, how many launches, and why the first died", async () => {
    const [record] = await recordsOf(async () => ({
      action: "restart",
      target: "broker:2",
      pid: 7,
      signal: "SIGTERM",
      at: 0,
      startedAfterMs: 24_310.4,
      attempts: 2,
      retriedAfter: [STALE],
    }));
    expect(record).toMatchObject({
      action: "restart",
      brokerId: 2,
      startedAfterMs: 24_310,
      attempts: 2,
      note: `broker 2 served again 24.3 s after its restart, on launch 2 (launch 1 died at start-up: "${STALE}")`,
    });
  });

  it("fails 'faults applied as scheduled' with the broker's own line when it could not come back", async () => {
    const records = await recordsOf(async () => {
      throw new Error(
        `broker 2 did not come back: exited at start-up (exit code 1); its log's last error: "${STALE}"`,
      );
    });
    const assertion = faultsAssertion(records);
    expect(assertion?.pass).toBe(false);
    expect(assertion?.detail).toContain(STALE);
  });
});
