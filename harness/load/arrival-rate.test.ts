import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.ts";
import { ArrivalSchedule } from "./arrival-rate.ts";
import { curveOf } from "./profile.ts";

describe("ArrivalSchedule", () => {
  it("counts due events from the integral of the rate, starting at the load's start time", () => {
    const schedule = new ArrivalSchedule(curveOf({ kind: "constant", rate: 200 }, 20_000), 1_000_000);
    expect(schedule.dueBefore(999_000)).toBe(0);
    expect(schedule.dueBefore(1_000_000)).toBe(0);
    expect(schedule.dueBefore(1_000_005)).toBe(1);
    expect(schedule.dueBefore(1_001_000)).toBe(200);
    expect(schedule.dueBefore(1_020_000)).toBe(4_000);
    expect(schedule.dueBefore(1_090_000)).toBe(4_000);
    expect(schedule.dueTime(0)).toBeCloseTo(1_000_005, 6);
    expect(schedule.dueTime(3_999)).toBeCloseTo(1_020_000, 6);
    expect(schedule.dueTime(4_000)).toBe(Infinity);
  });

  it("agrees with itself: every event counts as due from its due time on, and not before", () => {
    const schedule = new ArrivalSchedule(curveOf({ kind: "ramp", from: 50, to: 5_000 }, 10_000), 0);
    const total = schedule.dueBefore(10_000);
    expect(total).toBe(25_250);
    for (let i = 0; i < total; i += 97) {
      const due = schedule.dueTime(i);
      expect(schedule.dueBefore(due)).toBeGreaterThanOrEqual(i + 1);
      expect(schedule.dueBefore(due - 0.01)).toBeLessThanOrEqual(i);
    }
  });

  it("keeps the schedule when sends are slow, so the lateness shows as send delay", () => {
    const clock = new ManualClock(0);
    const schedule = new ArrivalSchedule(curveOf({ kind: "constant", rate: 1_000 }, 5_000), clock.now());
    const delays: number[] = [];
    let sent = 0;
    // A broker that takes 5 ms per send: the driver manages 200/s against a target of 1 000/s.
    while (clock.now() < 5_000) {
      if (sent < schedule.dueBefore(clock.now())) {
        delays.push(clock.now() - schedule.dueTime(sent));
        sent++;
        clock.advance(5);
      } else {
        clock.advance(1);
      }
    }
    expect(schedule.dueBefore(clock.now())).toBe(5_000);
    expect(sent).toBe(1_000);
    expect(delays[0]).toBeCloseTo(0, 6);
    expect(delays.at(-1)).toBeCloseTo(4_995 - 999, 6);
  });
});
