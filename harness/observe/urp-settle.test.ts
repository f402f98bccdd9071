import { describe, expect, it } from "vitest";
import type { Clock } from "../core/clock.ts";
import { sampleUntilUrpZero, urpSettleDeadline } from "./urp-settle.ts";

function steppingClock(start: number): Clock {
  let now = start;
  return {
    now: () => now,
    monotonic: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe("urpSettleDeadline", () => {
  it("is the last broker fault's end plus the bound, and undefined without a bound or a broker fault", () => {
    const faults = [
      { atMs: 8_000, action: "kill" as const, target: "broker:2", brokerId: 2 },
      { atMs: 22_000, action: "restart" as const, target: "broker:2", brokerId: 2, doneAtMs: 23_500 },
      { atMs: 30_000, action: "kill-consumer" as const, target: "consumer:0", consumerIndex: 0 },
    ];
    expect(urpSettleDeadline(faults, 60_000, 1_000_000)).toBe(1_083_500);
    expect(urpSettleDeadline(faults, undefined, 1_000_000)).toBeUndefined();
    expect(urpSettleDeadline(faults.slice(2), 60_000, 1_000_000)).toBeUndefined();
  });
});

describe("sampleUntilUrpZero", () => {
  it("samples until URP reads 0, and says once what it waits for", async () => {
    const urp: (number | null)[] = [29, 14];
    const next = [null, 3, 0, 5];
    const waits: (number | null)[] = [];
    await sampleUntilUrpZero(
      () => urp,
      async () => urp.push(next.length > 0 ? (next.shift() as number | null) : 9),
      60_000,
      steppingClock(0),
      (n) => waits.push(n),
    );
    expect(urp).toEqual([29, 14, null, 3, 0]);
    expect(waits).toEqual([14]);
  });

  it("stops at the deadline when URP never reaches 0, and does nothing without URP samples", async () => {
    const urp = [5];
    const clock = steppingClock(0);
    await sampleUntilUrpZero(
      () => urp,
      async () => urp.push(5),
      3_000,
      clock,
      () => {},
    );
    expect(urp).toEqual([5, 5, 5, 5]);
    let sampled = 0;
    await sampleUntilUrpZero(
      () => undefined,
      async () => sampled++,
      3_000,
      steppingClock(0),
      () => {},
    );
    expect(sampled).toBe(0);
  });
});
