import { describe, expect, it } from "vitest";
import { median, slope } from "./stats.ts";

describe("median", () => {
  it("takes the middle of an odd count, whatever the order", () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it("averages the two middle values of an even count", () => {
    expect(median([4, 1, 10, 2])).toBe(3);
  });

  it("refuses no values rather than inventing one", () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe("slope", () => {
  it("finds the rate of a straight line exactly", () => {
    expect(
      slope([
        [0, 10],
        [1_000, 3_010],
        [2_000, 6_010],
      ]),
    ).toBe(3);
  });

  it("is not decided by one outlier the way the first and last points would be", () => {
    // Flat but for a spike at the end: first-to-last would say 50 per x.
    expect(
      slope([
        [0, 100],
        [1, 100],
        [2, 100],
        [3, 100],
        [4, 300],
      ]),
    ).toBe(40);
  });

  it("refuses points that cannot make a line", () => {
    expect(() => slope([[1, 1]])).toThrow(RangeError);
    expect(() =>
      slope([
        [1, 1],
        [1, 2],
      ]),
    ).toThrow(RangeError);
  });
});
