import { describe, expect, it } from "vitest";
import type { FaultRecord } from "../faults/types.ts";
import type { PartitionLag } from "./lag-probe.ts";
import { Liveness } from "./liveness.ts";

const owner = { clientId: "login-aggregator-4242-ab12cd", host: "/127.0.0.1" };

/** Partition 0's committed offset stands at 100 from the start while its input grows. */
function wedged(s: number): PartitionLag[] {
  return [{ partition: 0, end: BigInt(100 + s * 50), position: 100n, lag: s * 50, owned: true, owner }];
}

function run(faults: FaultRecord[], plannedFaultsMs: number[] = []) {
  const lines: string[] = [];
  const liveness = new Liveness({
    topic: "user-login",
    windowMs: 5_000,
    faults,
    plannedFaultsMs,
    indexOfPid: (pid) => (pid === 4242 ? 1 : undefined),
    log: (line) => lines.push(line),
  });
  for (let s = 1; s <= 60; s += 1) liveness.onPartitions(s * 1000, wedged(s));
  return { lines, assertion: liveness.assertion() };
}

describe("Liveness", () => {
  it("logs a stall the second it passes the bound, naming the partition and the fleet's member, and fails the run", () => {
    const { lines, assertion } = run([]);
    expect(lines).toEqual([
      "stalled: user-login/0 held by consumer-1 (pid 4242, login-aggregator-4242-ab12cd): no commit since 1 s (31 s), 1,600 events behind",
    ]);
    expect(assertion.pass).toBe(false);
    expect(assertion.detail).toMatch(
      /^user-login\/0 held by consumer-1 \(pid 4242, login-aggregator-4242-ab12cd\): no commit from 1 s to the end of the run \(59 s, never recovered\), 3,000 events behind; a stall is a backlog with no commit for over 30 s/,
    );
  });

  it("judges the verdict against faults recorded after the samples they excuse", () => {
    // A fault from 5 s, recorded only when done at 40 s: excused until 85 s, past the end of these samples.
    const restart: FaultRecord = { atMs: 5_000, doneAtMs: 40_000, action: "restart", target: "broker:1" };
    const faults: FaultRecord[] = [];
    const lines: string[] = [];
    const liveness = new Liveness({
      topic: "user-login",
      windowMs: 5_000,
      faults,
      plannedFaultsMs: [],
      indexOfPid: () => undefined,
      log: (line) => lines.push(line),
    });
    for (let s = 1; s <= 60; s += 1) {
      if (s === 40) faults.push(restart);
      liveness.onPartitions(s * 1000, wedged(s));
    }
    // Live, the stall was seen before the fault's record came; the verdict excuses it.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("held by login-aggregator-4242-ab12cd on /127.0.0.1");
    const assertion = liveness.assertion();
    expect(assertion).toMatchObject({ pass: true, observedValue: 0 });
    expect(assertion.detail).toMatch(/: 56 of 60 samples were excused$/);
  });

  it("excuses a scheduled fault that is due but not yet recorded, for the excuse's length only", () => {
    expect(run([], [0]).assertion.pass).toBe(true);
    expect(run([], [-20_000]).assertion.pass).toBe(false);
  });
});
