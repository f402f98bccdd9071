import { describe, expect, it } from "vitest";
import { median } from "./stats.ts";

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
