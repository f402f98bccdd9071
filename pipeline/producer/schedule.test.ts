import { describe, expect, it } from "vitest";
import { constantRate, dueBefore } from "./schedule.ts";

describe("constantRate", () => {
  it("spaces events evenly, the first due at the start", () => {
    const schedule = constantRate(4);
    expect([0, 1, 2, 3, 4].map((i) => schedule.dueTime(i))).toEqual([0, 250, 500, 750, 1000]);
  });

  it("counts the events due so far, including one due exactly now", () => {
    const schedule = constantRate(4);
    expect(schedule.dueCount(-1)).toBe(0);
    expect(schedule.dueCount(0)).toBe(1);
    expect(schedule.dueCount(249)).toBe(1);
    expect(schedule.dueCount(250)).toBe(2);
    expect(schedule.dueCount(1000)).toBe(5);
    expect(schedule.dueCount(60_000)).toBe(241);
  });

  it.each([3, 7, 2000, 12_345.6, 0.3])("agrees with its own due times at %d/s, despite rounding", (rate) => {
    const schedule = constantRate(rate);
    for (let i = 0; i < 3000; i++) {
      const t = schedule.dueTime(i);
      expect(schedule.dueCount(t)).toBe(i + 1);
      expect(schedule.dueCount(t - 1e-6)).toBe(i);
    }
  });

  it("sends the rate times the duration in a run, not one extra at the end", () => {
    expect(dueBefore(constantRate(2000), 3000)).toBe(6000);
    expect(dueBefore(constantRate(3), 1000)).toBe(3);
    expect(dueBefore(constantRate(3), 1001)).toBe(4);
    expect(dueBefore(constantRate(3), 0)).toBe(0);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("rejects a rate of %d", (rate) => {
    expect(() => constantRate(rate)).toThrow(/positive number of events per second/);
  });
});
