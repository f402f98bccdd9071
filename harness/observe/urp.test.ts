import { describe, expect, it } from "vitest";
import type { FaultRecord } from "../faults/types.ts";
import { sampleResult } from "../testing/sample-result.ts";
import type { Series } from "./types.ts";
import { brokerOutages, urpRecovery, urpRecoveryAssertion } from "./urp.ts";

function series(urp: (number | null)[] | undefined, extra: Partial<Series> = {}): Series {
  const length = urp?.length ?? 20;
  return {
    ...sampleResult().series,
    t: Array.from({ length }, (_, i) => i),
    latencyP99Ms: Array.from({ length }, (_, i) => (i >= 5 && i < 10 ? 9_000 : 500)),
    sendDelayP99Ms: Array.from({ length }, (_, i) => (i === 5 ? 2_000 : 3)),
    underReplicatedPartitions: urp,
    gaps: [],
    ...extra,
  };
}

const fault = (
  atMs: number,
  action: FaultRecord["action"],
  brokerId: number,
  doneAtMs?: number,
): FaultRecord => ({
  atMs,
  action,
  target: `broker:${brokerId}`,
  brokerId,
  ...(doneAtMs === undefined ? {} : { doneAtMs }),
});

describe("brokerOutages", () => {
  it("pairs a kill with the restart of the same broker, and takes a lone restart as its own outage", () => {
    const outages = brokerOutages([
      fault(5_000, "kill", 1),
      fault(6_000, "pause", 2),
      fault(9_000, "restart", 1, 9_600),
      fault(11_000, "resume", 2),
      fault(14_000, "restart", 3, 15_000),
      { atMs: 16_000, action: "kill-consumer", target: "consumer:0", consumerIndex: 0 },
      { atMs: 17_000, action: "kill", target: "broker:2", brokerId: 2, error: "not running" },
    ]);
    expect(outages).toEqual([
      { brokerId: 1, actions: "kill → restart", downAtS: 5, upAtS: 9.6 },
      { brokerId: 2, actions: "pause → resume", downAtS: 6, upAtS: 11 },
      { brokerId: 3, actions: "restart", downAtS: 14, upAtS: 15 },
    ]);
  });
});

describe("urpRecovery", () => {
  it("measures the peak and the time from the broker's return until URP is 0 and stays 0", () => {
    // Killed at 5 s, back at 9.5 s; URP dips to 0 once at 10 s, rises again, and is 0 for good from 12 s.
    const urp = [0, 0, 0, 0, 0, 4, 6, 6, 6, 6, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
    const [row] = urpRecovery(series(urp), [fault(5_000, "kill", 1), fault(9_000, "restart", 1, 9_500)]);
    expect(row).toEqual({
      brokerId: 1,
      actions: "kill → restart",
      downAtS: 5,
      upAtS: 9.5,
      peakUrp: 6,
      timeToZeroMs: 2_500,
      measuredBy: "metric",
      peakLatencyP99Ms: 9_000,
      peakSendDelayP99Ms: 2_000,
      latencyP99BeforeMs: 500,
    });
    expect(urpRecoveryAssertion(row ? [row] : [], 5_000)?.pass).toBe(true);
    expect(urpRecoveryAssertion(row ? [row] : [], 2_000)?.pass).toBe(false);
  });

  it("fails the assertion, with the reason, when URP never returns to 0", () => {
    const urp = [0, 0, 0, 0, 0, 4, 6, 6, 6, 6, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    const rows = urpRecovery(series(urp), [fault(5_000, "kill", 1), fault(9_000, "restart", 1)]);
    expect(rows[0]?.timeToZeroMs).toBeNull();
    expect(rows[0]?.reason).toBe("URP was still 3 at 19 s, the last sample");
    expect(urpRecoveryAssertion(rows, 60_000)).toMatchObject({
      pass: false,
      observedValue: null,
      observed: "not back to 0 after 1 of 1 outages",
      detail: "broker 1 (kill → restart at 5.0 s): URP was still 3 at 19 s, the last sample",
    });
  });

  it("ends each outage's window where the next one begins: a bounce that did not wait is judged by the next's recovery", () => {
    const urp = [0, 0, 3, 3, 3, 3, 3, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const rows = urpRecovery(series(urp), [
      fault(2_000, "restart", 1, 3_000),
      fault(7_000, "restart", 2, 8_000),
    ]);
    expect(rows[0]).toMatchObject({
      timeToZeroMs: null,
      overlappedAtS: 7,
      reason:
        "broker 2 went down at 7.0 s, before URP was back to 0 (URP was still 3 when the next broker fault began at 7.0 s): measured with that outage",
    });
    expect(rows[1]?.timeToZeroMs).toBe(2_000);
    expect(urpRecoveryAssertion(rows, 5_000)).toMatchObject({
      pass: true,
      observed: "longest 2.0 s (2 outages, 1 overlapped by the next)",
    });
    expect(urpRecoveryAssertion(rows, 1_000)?.pass).toBe(false);
  });

  it("fails a chain of overlapping outages whose last never brings URP back to 0, naming that one", () => {
    // Chaos seed 8 on kafkajs, shortened: a rolling restart that does not wait, each broker slow to return.
    const urp = [0, 0, 29, 29, 29, 29, 16, 29, 29, 29, 29, 29, 20, 20, 20, 20, 20, 20, 20, 20];
    const rows = urpRecovery(series(urp), [
      { ...fault(2_000, "rolling-restart", 1, 5_000) },
      { ...fault(7_000, "rolling-restart", 2, 11_000) },
    ]);
    expect(rows[0]?.overlappedAtS).toBe(7);
    expect(urpRecoveryAssertion(rows, 120_000)).toMatchObject({
      pass: false,
      observed: "not back to 0 after 1 of 2 outages",
      detail: "broker 2 (rolling-restart at 7.0 s): URP was still 20 at 19 s, the last sample",
    });
  });

  it("takes the nemesis guard's sight of every partition in sync when no sample showed 0 before the next fault", () => {
    // Chaos seed 1 on kafkajs: broker 1 back at 3 s, the guard saw all in sync at 6.4 s and let the next
    // fault go at 7 s, while the last scrape of the gauge before it still read 7.
    const urp = [0, 0, 29, 29, 29, 23, 7, 0, 29, 29, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const next = { ...fault(7_000, "stop", 2), inSyncSeenAtMs: 6_400 };
    const rows = urpRecovery(series(urp), [
      fault(2_000, "restart", 1, 3_000),
      next,
      fault(10_000, "restart", 2, 10_500),
    ]);
    expect(rows[0]).toMatchObject({ peakUrp: 29, timeToZeroMs: 3_400, measuredBy: "metadata" });
    expect(urpRecoveryAssertion(rows, 120_000)?.pass).toBe(true);
    // Without the guard's sight (a timeline without a nemesis) the first outage has no figure of its own,
    // and a second that is never brought back leaves nothing to judge the chain by.
    const unguarded = urpRecovery(series(urp), [fault(2_000, "restart", 1, 3_000), fault(7_000, "stop", 2)]);
    expect(unguarded[0]?.overlappedAtS).toBe(7);
    expect(unguarded[1]?.reason).toBe("broker 2 was not brought back before the run ended");
    expect(urpRecoveryAssertion(unguarded, 120_000)?.pass).toBe(false);
  });

  it("does not take a sight of in-sync from before the broker was back", () => {
    const urp = [0, 0, 29, 29, 29, 23, 7, 0, 29, 29, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const early = { ...fault(2_000, "restart", 1, 3_000), inSyncSeenAtMs: 1_900 };
    const rows = urpRecovery(series(urp), [
      early,
      fault(7_000, "stop", 2),
      fault(10_000, "restart", 2, 10_500),
    ]);
    expect(rows[0]?.timeToZeroMs).toBeNull();
  });

  it("takes a rolling restart's own in-sync wait, asked of the brokers, over the lagging gauge", () => {
    const urp = [0, 0, 29, 29, 29, 29, 29, 29, 13, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const step = { ...fault(2_000, "rolling-restart", 1, 3_000), inSyncWaitMs: 5_500 };
    const [row] = urpRecovery(series(urp), [step, fault(9_000, "rolling-restart", 2, 9_500)]);
    expect(row).toMatchObject({ peakUrp: 29, timeToZeroMs: 5_500, measuredBy: "metadata" });
  });

  it("gives a gap with its reason, not a 0, when URP was not sampled after the return", () => {
    const urp = [
      0,
      0,
      0,
      0,
      0,
      4,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ];
    const gaps = [
      { what: "broker metrics", fromS: 6, toS: 19, samples: 14, reason: "Prometheus did not answer" },
    ];
    const rows = urpRecovery(series(urp, { gaps }), [fault(5_000, "pause", 2), fault(8_000, "resume", 2)]);
    expect(rows[0]).toMatchObject({
      peakUrp: 4,
      timeToZeroMs: null,
      reason: "URP was not measured from 8.0 s to 20.0 s (6–19 s: Prometheus did not answer)",
    });
    expect(urpRecoveryAssertion(rows, 60_000)?.pass).toBe(false);
  });

  it("says why when the run had no broker metrics or the broker never came back", () => {
    expect(urpRecovery(series(undefined), [fault(5_000, "restart", 1)])[0]?.reason).toBe(
      "no broker metrics in this run (no Prometheus)",
    );
    expect(urpRecovery(series(Array(20).fill(0)), [fault(5_000, "kill", 3)])[0]).toMatchObject({
      upAtS: null,
      timeToZeroMs: null,
      reason: "broker 3 was not brought back before the run ended",
    });
  });

  it("makes no assertion when no broker was hit", () => {
    expect(urpRecoveryAssertion([], 60_000)).toBeUndefined();
  });
});
