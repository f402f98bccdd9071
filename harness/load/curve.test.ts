import { describe, expect, it } from "vitest";
import { RateCurve } from "./curve.ts";

describe("RateCurve", () => {
  it("integrates a constant rate and inverts it", () => {
    const curve = new RateCurve([{ startMs: 0, endMs: 10_000, fromRate: 200, toRate: 200 }]);
    expect(curve.countAt(1_000)).toBeCloseTo(200, 9);
    expect(curve.countAt(10_000)).toBeCloseTo(2_000, 9);
    expect(curve.countAt(20_000)).toBeCloseTo(2_000, 9);
    expect(curve.timeOfCount(1)).toBeCloseTo(5, 9);
    expect(curve.timeOfCount(2_000)).toBeCloseTo(10_000, 6);
    expect(curve.timeOfCount(2_001)).toBe(Infinity);
  });

  it("integrates a linear ramp as a trapezoid and inverts it, up and down", () => {
    const up = new RateCurve([{ startMs: 0, endMs: 10_000, fromRate: 0, toRate: 1_000 }]);
    expect(up.rateAt(5_000)).toBeCloseTo(500, 9);
    expect(up.countAt(10_000)).toBeCloseTo(5_000, 9);
    expect(up.countAt(5_000)).toBeCloseTo(1_250, 9);
    expect(up.timeOfCount(1_250)).toBeCloseTo(5_000, 6);

    const down = new RateCurve([{ startMs: 0, endMs: 10_000, fromRate: 1_000, toRate: 0 }]);
    expect(down.countAt(5_000)).toBeCloseTo(3_750, 9);
    expect(down.timeOfCount(3_750)).toBeCloseTo(5_000, 6);
    expect(down.timeOfCount(5_000)).toBeCloseTo(10_000, 3);
  });

  it("is zero in gaps and after the last closed segment", () => {
    const curve = new RateCurve([
      { startMs: 0, endMs: 1_000, fromRate: 100, toRate: 100 },
      { startMs: 2_000, endMs: 3_000, fromRate: 300, toRate: 300 },
    ]);
    expect(curve.rateAt(1_500)).toBe(0);
    expect(curve.rateAt(3_000)).toBe(0);
    expect(curve.countAt(1_500)).toBeCloseTo(100, 9);
    expect(curve.countAt(2_500)).toBeCloseTo(250, 9);
    expect(curve.timeOfCount(101)).toBeCloseTo(2_000 + 1_000 / 300, 6);
  });

  it("cuts an open last segment where the next one starts, keeping the count before it", () => {
    const curve = new RateCurve([{ startMs: 0, endMs: Infinity, fromRate: 100, toRate: 100 }]);
    expect(curve.timeOfCount(1e9)).toBeCloseTo(1e10, -3);
    curve.extend({ startMs: 4_000, endMs: Infinity, fromRate: 50, toRate: 50 });
    expect(curve.countAt(4_000)).toBeCloseTo(400, 9);
    expect(curve.countAt(6_000)).toBeCloseTo(500, 9);
    expect(curve.rateAt(3_999)).toBe(100);
    expect(curve.rateAt(4_000)).toBe(50);
  });

  it("refuses segments out of order, overlapping, or open-ended and changing", () => {
    const curve = new RateCurve([{ startMs: 1_000, endMs: 2_000, fromRate: 1, toRate: 1 }]);
    expect(() => curve.extend({ startMs: 500, endMs: 600, fromRate: 1, toRate: 1 })).toThrow(/time order/);
    expect(() => curve.extend({ startMs: 1_500, endMs: 2_500, fromRate: 1, toRate: 1 })).toThrow(/overlap/);
    expect(() => curve.extend({ startMs: 2_000, endMs: Infinity, fromRate: 1, toRate: 2 })).toThrow(
      /constant/,
    );
  });
});
