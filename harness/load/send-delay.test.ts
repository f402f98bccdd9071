import { describe, expect, it } from "vitest";
import { SendDelayTracker } from "./send-delay.ts";

describe("SendDelayTracker", () => {
  it("says the generator is behind when the last interval's p99 is over the threshold, and remembers it", () => {
    const tracker = new SendDelayTracker();
    for (let i = 0; i < 1_000; i++) tracker.record(i < 980 ? 2 : 1_500);
    tracker.rollInterval();
    expect(tracker.generatorBehind(1_000)).toBe(true);
    expect(tracker.generatorBehind(2_000)).toBe(false);

    for (let i = 0; i < 1_000; i++) tracker.record(3);
    const calm = tracker.rollInterval();
    expect(calm.count).toBe(1_000);
    expect(tracker.generatorBehind(1_000)).toBe(false);
    expect(tracker.wasEverBehind(1_000)).toBe(true);
    expect(tracker.cumulative().count).toBe(2_000);
  });

  it("measures a phase, started right after a roll as the runner does, apart from what came before it", () => {
    const tracker = new SendDelayTracker();
    expect(tracker.phase()).toBeUndefined();
    for (let i = 0; i < 100; i++) tracker.record(2_000);
    tracker.rollInterval();
    tracker.startPhase();
    for (let i = 0; i < 100; i++) tracker.record(5);
    expect(tracker.phase()).toMatchObject({ count: 100, max: 5 });
    expect(tracker.cumulative().count).toBe(200);
  });

  it("is not behind when a few sends out of a hundred are late", () => {
    const tracker = new SendDelayTracker();
    for (let i = 0; i < 1_000; i++) tracker.record(i < 995 ? 1 : 5_000);
    tracker.rollInterval();
    expect(tracker.generatorBehind()).toBe(false);
    expect(tracker.cumulative().max).toBeGreaterThan(4_990);
  });

  it("is not behind before any interval has closed", () => {
    const tracker = new SendDelayTracker();
    tracker.record(10_000);
    expect(tracker.generatorBehind()).toBe(false);
  });
});
