import { describe, expect, it } from "vitest";
import { type Clock, steppingClock } from "../core/clock.ts";
import { type RollingStep, rollingRestart } from "./rolling-restart.ts";

/** A cluster where a restarted broker's replicas rejoin their ISR `rejoinMs` after it starts (never: null). */
function cluster(clock: Clock, rejoinMs: Record<number, number | null>) {
  const log: string[] = [];
  let behind: { brokerId: number; until: number | null } | undefined;
  return {
    log,
    restart: async (brokerId: number) => {
      log.push(`restart ${brokerId}${behind ? ` while broker ${behind.brokerId} is out of sync` : ""}`);
      await clock.sleep(2_000);
      const rejoin = brokerId in rejoinMs ? (rejoinMs[brokerId] ?? null) : 0;
      behind = { brokerId, until: rejoin === null ? null : clock.monotonic() + rejoin };
      return {
        action: "restart" as const,
        target: `broker:${brokerId}`,
        pid: 100 + brokerId,
        signal: "SIGTERM",
        at: 0,
      };
    },
    outOfSync: async () => {
      if (behind && (behind.until === null || clock.monotonic() < behind.until))
        return [`user-login/0: ISR 1,2,3 without ${behind.brokerId}`];
      behind = undefined;
      return [];
    },
  };
}

describe("rollingRestart", () => {
  it("restarts one broker at a time, each only once every partition is in sync again, and records the wait", async () => {
    const clock = steppingClock();
    const kafka = cluster(clock, { 1: 4_000, 2: 6_500, 3: 0 });
    const steps: RollingStep[] = [];
    await rollingRestart({ brokerIds: [1, 2, 3], ...kafka, clock, timeoutMs: 60_000 }, (s) => steps.push(s));
    expect(kafka.log).toEqual(["restart 1", "restart 2", "restart 3"]);
    expect(steps.map((s) => [s.brokerId, s.inSyncWaitMs, s.error])).toEqual([
      [1, 4_000, undefined],
      [2, 6_500, undefined],
      [3, 0, undefined],
    ]);
    expect(steps[1]).toMatchObject({ atMs: 6_000, doneAtMs: 8_000, pid: 102, signal: "SIGTERM" });
    // The stack's own account of the restart rides along, for the record's launches and time to serve.
    expect(steps[1]?.restart).toMatchObject({ action: "restart", target: "broker:2", pid: 102 });
  });

  it("stops at a broker that does not get back in sync, and restarts none after it", async () => {
    const clock = steppingClock();
    const kafka = cluster(clock, { 1: 1_000, 2: null });
    const steps: RollingStep[] = [];
    await rollingRestart({ brokerIds: [1, 2, 3], ...kafka, clock, timeoutMs: 10_000 }, (s) => steps.push(s));
    expect(kafka.log).toEqual(["restart 1", "restart 2"]);
    expect(steps.map((s) => s.error)).toEqual([
      undefined,
      "not in sync within 10 s of broker 2's start (last seen: 1 not in sync: user-login/0: ISR 1,2,3 without 2)",
      "not restarted: broker 2 did not get back in sync",
    ]);
  });

  it("restarts nothing when the cluster is not in sync to begin with, and says a failed restart's reason", async () => {
    const clock = steppingClock();
    const steps: RollingStep[] = [];
    const outOfSync = async () => {
      throw new Error("the brokers did not answer within 3 s");
    };
    const restart = async () => {
      throw new Error("unreachable");
    };
    await rollingRestart({ brokerIds: [1, 2], restart, outOfSync, clock, timeoutMs: 5_000 }, (s) =>
      steps.push(s),
    );
    expect(steps.map((s) => s.error)).toEqual([
      "not restarted: the cluster was not in sync before the rolling restart: the brokers did not answer within 3 s",
      "not restarted: the cluster was not in sync before the rolling restart: the brokers did not answer within 3 s",
    ]);
    const failing = async () => {
      throw new Error("there is no broker 9");
    };
    const more: RollingStep[] = [];
    await rollingRestart(
      { brokerIds: [9, 1], restart: failing, outOfSync: async () => [], clock, timeoutMs: 5_000 },
      (s) => more.push(s),
    );
    expect(more.map((s) => s.error)).toEqual([
      "there is no broker 9",
      "not restarted: broker 9 could not be restarted",
    ]);
  });

  it("without waiting, restarts the next broker a fixed gap after the previous one started, in sync or not", async () => {
    const clock = steppingClock();
    const kafka = cluster(clock, { 1: null, 2: null, 3: null });
    const steps: RollingStep[] = [];
    await rollingRestart(
      { brokerIds: [1, 2, 3], ...kafka, clock, timeoutMs: 60_000, noWaitGapMs: 5_000 },
      (s) => steps.push(s),
    );
    expect(kafka.log).toEqual([
      "restart 1",
      "restart 2 while broker 1 is out of sync",
      "restart 3 while broker 2 is out of sync",
    ]);
    // Each restart takes 2 s in the fake cluster, then the 5 s gap: starts at 0, 7 and 14 s.
    expect(steps.map((s) => [s.brokerId, s.atMs, s.doneAtMs, s.inSyncWaitMs, s.error])).toEqual([
      [1, 0, 2_000, undefined, undefined],
      [2, 7_000, 9_000, undefined, undefined],
      [3, 14_000, 16_000, undefined, undefined],
    ]);
  });

  it("without waiting, still stops at a broker that could not be restarted", async () => {
    const clock = steppingClock();
    const steps: RollingStep[] = [];
    const restart = async (id: number) => {
      if (id === 1) throw new Error("broker 1 did not register within 60 s");
      return { action: "restart" as const, target: `broker:${id}`, pid: 1, signal: "SIGTERM", at: 0 };
    };
    await rollingRestart(
      { brokerIds: [1, 2], restart, outOfSync: async () => [], clock, timeoutMs: 5_000, noWaitGapMs: 5_000 },
      (s) => steps.push(s),
    );
    expect(steps.map((s) => s.error)).toEqual([
      "broker 1 did not register within 60 s",
      "not restarted: broker 1 could not be restarted",
    ]);
  });
});
