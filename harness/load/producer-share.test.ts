import { describe, expect, it } from "vitest";
import { constantRate, dueBefore } from "../../pipeline/producer/schedule.ts";
import { ArrivalSchedule } from "./arrival-rate.ts";
import { RateCurve } from "./curve.ts";
import { runIndex, seedOf, shareCount, shareOf } from "./producer-share.ts";

const ramp = new ArrivalSchedule(
  new RateCurve([{ startMs: 0, endMs: 10_000, fromRate: 10, toRate: 900 }]),
  0,
);
const rampSchedule = {
  dueCount: (ms: number) => ramp.dueBefore(ms),
  dueTime: (i: number) => ramp.dueTime(i),
};

describe("shareOf", () => {
  for (const processes of [1, 2, 3, 7]) {
    it(`gives every event of the run to exactly one of ${processes} processes, at its own due time`, () => {
      for (const [name, whole] of [
        ["constant", constantRate(333)],
        ["ramp", rampSchedule],
      ] as const) {
        const endMs = 9_500;
        const total = dueBefore(whole, endMs);
        const seen = new Map<number, number>();
        for (let index = 0; index < processes; index += 1) {
          const slot = { index, processes };
          const share = shareOf(whole, slot);
          const mine = dueBefore(share, endMs);
          expect(mine, name).toBe(shareCount(total, slot));
          for (let j = 0; j < mine; j += 1) {
            const i = runIndex(j, slot);
            expect(share.dueTime(j), `${name} event ${i}`).toBe(whole.dueTime(i));
            seen.set(i, (seen.get(i) ?? 0) + 1);
          }
        }
        expect(seen.size, name).toBe(total);
        expect(
          [...seen.values()].every((n) => n === 1),
          name,
        ).toBe(true);
        expect(Math.max(...seen.keys()), name).toBe(total - 1);
      }
    });
  }

  it("counts, at any moment, the events of the run due by then that are this process's", () => {
    const whole = constantRate(1000);
    const slots = [0, 1, 2].map((index) => ({ index, processes: 3 }));
    for (const ms of [0, 0.5, 1, 2, 3, 999, 1000, 1001.5]) {
      const sum = slots.reduce((n, slot) => n + shareOf(whole, slot).dueCount(ms), 0);
      expect(sum, `at ${ms} ms`).toBe(whole.dueCount(ms));
    }
  });
});

describe("shareCount", () => {
  it("splits a count so that the shares add up and differ by at most one", () => {
    for (const count of [0, 1, 2, 5, 6, 300_001]) {
      const shares = [0, 1, 2, 3].map((index) => shareCount(count, { index, processes: 4 }));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(count);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
});

describe("seedOf", () => {
  it("keeps the run's seed for process 0 and gives the others seeds of their own, the same every time", () => {
    const seeds = [0, 1, 2, 3].map((index) => seedOf(42, { index, processes: 4 }));
    expect(seeds[0]).toBe(42);
    expect(new Set(seeds).size).toBe(4);
    expect(seeds).toEqual([0, 1, 2, 3].map((index) => seedOf(42, { index, processes: 4 })));
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0).toBe(true);
  });
});
