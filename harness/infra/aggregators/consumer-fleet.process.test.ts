import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "../../core/wait-for.ts";
import { ConsumerFleet } from "./consumer-fleet.ts";

/**
 * The fleet's end-of-run bookkeeping with stand-in processes: shell commands that print the ready line and
 * then behave as the test needs. No aggregator and no broker runs (the address is never dialled).
 */
function fleetOf(command: string): ConsumerFleet {
  const fleet = new ConsumerFleet({
    connection: { brokers: ["127.0.0.1:9"] },
    groupId: "g",
    topics: { input: "in", output: "out", dlq: "dlq" },
    windowMs: 1_000,
    inputPartitions: 1,
    logDir: mkdtempSync(join(tmpdir(), "fleet-test-")),
    command,
  });
  onTestFinished(async () => {
    for (const index of fleet.running()) await fleet.kill(index);
  });
  return fleet;
}

const READY = `echo '{"event":"ready"}'`;

describe("ConsumerFleet.stopAll", () => {
  it("reports a member that exits 0 on SIGTERM as a clean stop", async () => {
    const fleet = fleetOf(`trap 'exit 0' TERM; ${READY}; sleep 30 & wait`);
    await fleet.add();
    const [outcome] = await fleet.stopAll();
    expect(outcome).toMatchObject({ index: 0, how: "stopped", exit: { code: 0, signal: null } });
    expect(outcome?.killedAfterGraceMs).toBeUndefined();
  });

  it("reports a member that died unasked, with its exit code and last error line, instead of throwing", async () => {
    const fleet = fleetOf(`${READY}; sleep 0.5; echo 'fatal: lost the group for good'; exit 3`);
    await fleet.add();
    await waitFor(() => (fleet.running().length === 0 ? true : undefined), {
      what: "the member to exit on its own",
      timeoutMs: 10_000,
      describe: () => `still running: ${fleet.running().join(", ")}`,
    });
    const outcomes = await fleet.stopAll();
    expect(outcomes).toEqual([
      {
        index: 0,
        pid: expect.any(Number),
        how: "exited unasked",
        exit: { code: 3, signal: null },
        logFile: expect.stringMatching(/consumer-0\.log$/),
        lastErrorLine: "fatal: lost the group for good",
      },
    ]);
  });

  it("leaves out a member a fault killed on purpose", async () => {
    const fleet = fleetOf(`${READY}; sleep 30`);
    await fleet.add();
    await fleet.kill(0);
    expect(await fleet.stopAll()).toEqual([]);
  });
});
