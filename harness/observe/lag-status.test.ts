import { describe, expect, it } from "vitest";
import { evaluatePartition, type LagSample, LagStatusTracker, worstStatus } from "./lag-status.ts";
import type { LagStatus } from "./types.ts";

const options = { windowMs: 30_000 };

/**
 * A partition polled once a second: `rate` events/s arrive, the consumer handles up to `capacity`/s and
 * commits every 5 s; from `stopAtS` it makes no more progress, and `ownedAfterStop` says whether a live
 * member still holds the partition. A small fixed wobble stands in for timing noise.
 */
function simulate(
  seconds: number,
  p: { rate: number; capacity: number; stopAtS?: number; ownedAfterStop?: boolean },
) {
  const samples: LagSample[] = [];
  let committed = 0;
  for (let s = 0; s <= seconds; s++) {
    const stopped = p.stopAtS !== undefined && s >= p.stopAtS;
    const highWatermark = 500 + p.rate * s + ((s * 37) % 11);
    if (!stopped && s % 5 === 0 && s > 0) {
      committed = Math.min(highWatermark - 3 - ((s * 13) % 7), 500 + p.capacity * s);
    }
    samples.push({
      atMs: s * 1_000,
      committedOffset: committed,
      lag: highWatermark - committed,
      owned: !stopped || p.ownedAfterStop,
    });
  }
  return samples;
}

function statusesOver(samples: LagSample[], fromS: number): Set<LagStatus> {
  const seen = new Set<LagStatus>();
  for (let s = fromS; s < samples.length; s++) {
    seen.add(evaluatePartition(samples.slice(0, s + 1), s * 1_000, options).status);
  }
  return seen;
}

describe("evaluatePartition", () => {
  it("is OK all along for a consumer that keeps up, though its lag never reaches zero", () => {
    const samples = simulate(120, { rate: 100, capacity: 1e9 });
    expect(samples.every((s) => s.lag > 0)).toBe(true);
    expect(statusesOver(samples, 0)).toEqual(new Set(["OK"]));
  });

  it("is OK when the lag touched zero in the window", () => {
    const samples: LagSample[] = [
      { atMs: 0, committedOffset: 10, lag: 50 },
      { atMs: 10_000, committedOffset: 60, lag: 0 },
      { atMs: 40_000, committedOffset: 60, lag: 70 },
    ];
    expect(evaluatePartition(samples, 40_000, options)).toEqual({
      status: "OK",
      reason: "caught up within the window",
    });
    expect(evaluatePartition(samples, 41_000, options).status).toBe("STALL");
  });

  it("counts a lag of one as caught up when allowed, as with transactional commit markers", () => {
    const samples = [0, 10_000, 20_000, 30_000].map((atMs) => ({ atMs, committedOffset: 500, lag: 1 }));
    expect(evaluatePartition(samples, 30_000, options).status).toBe("STALL");
    expect(evaluatePartition(samples, 30_000, { ...options, allowedLag: 1 }).status).toBe("OK");
  });

  it("warns when the consumer moves but falls further behind at every commit", () => {
    const samples = simulate(120, { rate: 100, capacity: 80 });
    expect(statusesOver(samples, 40)).toEqual(new Set(["WARN"]));
    expect(evaluatePartition(samples, 120_000, options).reason).toMatch(
      /^lag grew at each of the last [67] commits, to 2,4\d\d$/,
    );
  });

  it("says STOP once no live member owns a partition whose offset stopped, after half the window", () => {
    const samples = simulate(120, { rate: 100, capacity: 1e9, stopAtS: 60, ownedAfterStop: false });
    const at = (s: number) => evaluatePartition(samples.slice(0, s + 1), s * 1_000, options);
    expect(at(70).status).toBe("OK");
    expect(at(85)).toEqual({
      status: "STOP",
      reason:
        "no live consumer owns the partition: the committed offset has not moved for 30s, with a lag of 3,014",
    });
    expect(at(120)).toEqual({
      status: "STOP",
      reason:
        "no live consumer owns the partition: the committed offset has not moved in the last 30s, with a lag of 6,511",
    });
  });

  it("says STALL when the partition is owned but its offset does not move", () => {
    const samples = simulate(120, { rate: 100, capacity: 1e9, stopAtS: 60, ownedAfterStop: true });
    expect(evaluatePartition(samples, 120_000, options).status).toBe("STALL");
  });

  it("says STALL for a committed offset that went backwards (Burrow's REWIND)", () => {
    const samples: LagSample[] = [
      { atMs: 0, committedOffset: 100, lag: 10 },
      { atMs: 1_000, committedOffset: 90, lag: 25 },
    ];
    expect(evaluatePartition(samples, 1_000, options)).toEqual({
      status: "STALL",
      reason: "the committed offset went backwards (Burrow: REWIND)",
    });
  });

  it("does not call a partition stuck before its samples cover a whole window", () => {
    const samples = [0, 1_000, 2_000, 3_000].map((atMs) => ({
      atMs,
      committedOffset: -1,
      lag: 40 + atMs / 100,
    }));
    expect(evaluatePartition(samples, 3_000, options).status).toBe("OK");
    expect(evaluatePartition([], 3_000, options)).toEqual({ status: "UNKNOWN", reason: "no samples yet" });
  });
});

describe("LagStatusTracker", () => {
  it("calls a partition UNKNOWN, not OK, once its newest sample is stale", () => {
    const tracker = new LagStatusTracker({ ...options, staleAfterMs: 2_500 });
    tracker.record(0, { atMs: 0, committedOffset: 10, lag: 0 });
    expect(tracker.evaluate(1_000).status).toBe("OK");
    const later = tracker.evaluate(20_000);
    expect(later.status).toBe("UNKNOWN");
    expect(later.partitions[0]?.reason).toBe("no sample for 20s");
  });

  it("slides the window per partition and reports the worst partition for the group", () => {
    const tracker = new LagStatusTracker(options);
    const healthy = simulate(120, { rate: 100, capacity: 1e9 });
    const behind = simulate(120, { rate: 100, capacity: 80 });
    const stopped = simulate(120, { rate: 100, capacity: 1e9, stopAtS: 60, ownedAfterStop: false });
    for (let s = 0; s <= 120; s++) {
      tracker.record(0, healthy[s] as LagSample);
      tracker.record(1, behind[s] as LagSample);
      tracker.record(2, stopped[s] as LagSample);
      if (s === 50) expect(tracker.evaluate(50_000).status).toBe("WARN");
    }
    const result = tracker.evaluate(120_000);
    expect(result.status).toBe("STOP");
    expect(result.partitions.map((p) => [p.partition, p.status])).toEqual([
      [0, "OK"],
      [1, "WARN"],
      [2, "STOP"],
    ]);
    expect(result.partitions[2]?.lag).toBe(stopped[120]?.lag);
  });
});

describe("worstStatus", () => {
  it("ranks OK < UNKNOWN < WARN < STOP < STALL: Burrow's order, and never OK while a partition is unknown", () => {
    expect(worstStatus([])).toBe("UNKNOWN");
    expect(worstStatus(["OK", "UNKNOWN", "OK"])).toBe("UNKNOWN");
    expect(worstStatus(["UNKNOWN", "WARN"])).toBe("WARN");
    expect(worstStatus(["OK", "WARN", "OK"])).toBe("WARN");
    expect(worstStatus(["STOP", "WARN"])).toBe("STOP");
    expect(worstStatus(["STOP", "STALL", "OK"])).toBe("STALL");
  });
});
