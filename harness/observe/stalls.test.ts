import { describe, expect, it } from "vitest";
import { type PartitionProgress, StallTracker, stallAssertion, stallBoundMs } from "./stalls.ts";

const BOUND = 30_000;
const note = "faults excuse nothing in this test";

/** One sample a second for `seconds`, each partition's end and committed offset given by `at(second)`. */
function feed(tracker: StallTracker, seconds: number, at: (s: number) => PartitionProgress[], fromS = 1) {
  const opened = [];
  for (let s = fromS; s <= seconds; s += 1) opened.push(...tracker.record(s * 1000, at(s)));
  return opened;
}

const healthy = (partition: number, s: number): PartitionProgress => ({
  partition,
  end: BigInt(s * 100),
  // Commits once every 5 s window, a window behind.
  position: BigInt(Math.max(0, Math.floor(s / 5) * 500 - 500)),
  owner: "consumer-0 (pid 10)",
});

describe("StallTracker", () => {
  it("passes partitions that commit once a window while their input grows", () => {
    const tracker = new StallTracker({ boundMs: BOUND, exempt: () => false });
    expect(feed(tracker, 120, (s) => [healthy(0, s), healthy(1, s)])).toEqual([]);
    const assertion = stallAssertion("user-login", tracker.result(), tracker.measured(), {
      boundMs: BOUND,
      exemptionNote: note,
    });
    expect(assertion).toMatchObject({ pass: true, observedValue: 0, observed: "none stalled" });
  });

  it("fails a held partition whose committed offset stands still while its input grows, naming it as soon as it passes the bound", () => {
    const tracker = new StallTracker({ boundMs: BOUND, exempt: () => false });
    const wedged = (s: number): PartitionProgress => ({
      partition: 3,
      end: BigInt(s * 100),
      position: s < 20 ? BigInt(Math.floor(s / 5) * 500) : 1_500n,
      owner: "consumer-1 (pid 42)",
    });
    const opened = feed(tracker, 90, (s) => [healthy(0, s), wedged(s)]);
    // Its last commit was at 15 s; the bound is passed at 46 s.
    expect(opened).toEqual([
      { partitions: [3], member: "consumer-1 (pid 42)", fromS: 15, toS: null, durationS: 31, behind: 3_100 },
    ]);
    const episodes = tracker.result();
    expect(episodes).toEqual([
      { partitions: [3], member: "consumer-1 (pid 42)", fromS: 15, toS: null, durationS: 75, behind: 7_500 },
    ]);
    const assertion = stallAssertion("user-login", episodes, tracker.measured(), {
      boundMs: BOUND,
      exemptionNote: note,
    });
    expect(assertion).toMatchObject({ pass: false, observedValue: 1, observed: "1 stall" });
    expect(assertion.detail).toBe(
      `user-login/3 held by consumer-1 (pid 42): no commit from 15 s to the end of the run (75 s, never recovered), 7,500 events behind; ${note}`,
    );
  });

  it("groups one member's partitions that wedged together, and closes the episode when commits resume", () => {
    const tracker = new StallTracker({ boundMs: BOUND, exempt: () => false });
    const part = (partition: number, s: number): PartitionProgress => ({
      partition,
      end: 1_000n + BigInt(s),
      position: s < 50 ? 900n : 1_000n + BigInt(s),
      owner: "consumer-0 (pid 7)",
    });
    feed(tracker, 60, (s) => [part(0, s), part(1, s)]);
    expect(tracker.result()).toEqual([
      { partitions: [0, 1], member: "consumer-0 (pid 7)", fromS: 1, toS: 50, durationS: 49, behind: 298 },
    ]);
  });

  it("counts a backlog nobody owns, and a stall with no new input (a drain that never moves)", () => {
    const tracker = new StallTracker({ boundMs: BOUND, exempt: () => false });
    feed(tracker, 40, () => [{ partition: 2, end: 43_589n, position: 0n, owner: null }]);
    expect(tracker.result()).toEqual([
      { partitions: [2], member: "no member", fromS: 1, toS: null, durationS: 39, behind: 43_589 },
    ]);
  });

  it("restarts the clock while a scheduled fault excuses the stall, and ignores unread samples", () => {
    // A freeze from 10 s, excused until 50 s: a standstill until 75 s is 25 s past the excuse, under the bound.
    const tracker = new StallTracker({ boundMs: BOUND, exempt: (ms) => ms >= 10_000 && ms <= 50_000 });
    const frozen = (s: number): PartitionProgress => ({
      partition: 0,
      end: BigInt(s * 10),
      position: s >= 10 && s < 75 ? 90n : BigInt(s * 10),
      owner: "consumer-0 (pid 1)",
    });
    feed(tracker, 80, (s) =>
      s === 60 ? [{ partition: 0, end: null, position: null, owner: undefined }] : [frozen(s)],
    );
    expect(tracker.result()).toEqual([]);
    // Without the excuse the same standstill is a stall of 65 s.
    const strict = new StallTracker({ boundMs: BOUND, exempt: () => false });
    feed(strict, 80, (s) => [frozen(s)]);
    expect(strict.result()).toMatchObject([{ partitions: [0], fromS: 9, toS: 75, durationS: 66 }]);
  });

  it("says it could not judge when the offsets were never read", () => {
    const tracker = new StallTracker({ boundMs: BOUND, exempt: () => false });
    feed(tracker, 10, () => [{ partition: 0, end: null, position: null, owner: undefined }]);
    const assertion = stallAssertion("user-login", tracker.result(), tracker.measured(), {
      boundMs: BOUND,
      exemptionNote: note,
    });
    expect(assertion).toMatchObject({ pass: false, observedValue: null, observed: "not measured" });
  });
});

describe("stallBoundMs", () => {
  it("is three windows, at least 30 s", () => {
    expect(stallBoundMs(5_000)).toBe(30_000);
    expect(stallBoundMs(20_000)).toBe(60_000);
  });
});
