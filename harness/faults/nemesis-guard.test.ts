import { describe, expect, it } from "vitest";
import { type Clock, steppingClock } from "../core/clock.ts";
import { brokerGuard } from "./nemesis-guard.ts";

/** A cluster out of sync until `syncedAtMs` (never: null), asked through probes that count their closes. */
function cluster(clock: Clock, syncedAtMs: number | null) {
  const seen = { asked: 0, closed: 0 };
  const probe = () => ({
    outOfSync: async () => {
      seen.asked += 1;
      return syncedAtMs === null || clock.monotonic() < syncedAtMs ? ["user-login/2: ISR 1,3 of 1,2,3"] : [];
    },
    close: async () => {
      seen.closed += 1;
    },
  });
  return { probe, seen };
}

describe("the nemesis's broker guard", () => {
  it("puts every broker fault on one queue, and leaves aggregator faults on their own", () => {
    const clock = steppingClock();
    const guard = brokerGuard(cluster(clock, 0).probe, clock);
    expect(guard.queueOf({ atMs: 0, action: "kill", target: "broker:2" })).toBe("nemesis:brokers");
    expect(guard.queueOf({ atMs: 0, action: "pause", target: "coordinator:group" })).toBe("nemesis:brokers");
    expect(guard.queueOf({ atMs: 0, action: "kill-consumer", target: "consumer:1" })).toBeUndefined();
  });

  it("takes a broker away only once every partition is in sync, and brings it back without waiting", async () => {
    const clock = steppingClock();
    const kafka = cluster(clock, 12_000);
    const guard = brokerGuard(kafka.probe, clock, 60_000);
    const startedMs = clock.now();
    const verdict = await guard.before({ atMs: 0, action: "kill", target: "leader:user-login/0" });
    expect(verdict.refused).toBeUndefined();
    // When it saw the cluster in sync: the URP check's evidence for the previous outage, if no sample showed 0.
    const inSyncAtMs = "inSyncAtMs" in verdict ? verdict.inSyncAtMs : undefined;
    expect(inSyncAtMs).toBeGreaterThanOrEqual(startedMs + 12_000);
    expect(inSyncAtMs).toBe(clock.now());
    const asked = kafka.seen.asked;
    expect(await guard.before({ atMs: 0, action: "restart", target: "leader:user-login/0" })).toEqual({});
    expect(kafka.seen.asked).toBe(asked);
    expect(kafka.seen.closed).toBe(1);
  });

  it("refuses to take a second broker away from a cluster that never gets back in sync, naming what it saw", async () => {
    const clock = steppingClock();
    const guard = brokerGuard(cluster(clock, null).probe, clock, 30_000);
    expect(await guard.before({ atMs: 0, action: "stop", target: "broker:1" })).toEqual({
      refused:
        "not applied: the cluster was not in sync 30 s after the previous broker fault (1 not in sync: user-login/2: ISR 1,3 of 1,2,3)",
    });
    // The stop did not happen, so a restart of that broker is a clean restart of a running one: guarded too.
    expect((await guard.before({ atMs: 0, action: "restart", target: "broker:1" })).refused).toMatch(
      /^not applied/,
    );
    expect((await guard.before({ atMs: 0, action: "rolling-restart", target: "broker:*" })).refused).toMatch(
      /^not applied/,
    );
    expect(await guard.before({ atMs: 0, action: "kill-consumer", target: "consumer:0" })).toEqual({});
  });
});
