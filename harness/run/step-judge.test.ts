import { describe, expect, it } from "vitest";
import { lagKeptGrowing } from "./step-judge.ts";

describe("lagKeptGrowing", () => {
  it("calls a sawtooth that falls back to zero at each commit healthy", () => {
    const sawtooth = [0, 1000, 2000, 0, 1000, 2000, 0, 1000, 2000, 0];
    expect(lagKeptGrowing(sawtooth, 1000)).toBe(false);
  });

  it("sees a rising floor as falling behind", () => {
    const rising = [0, 1500, 3000, 2500, 4000, 5500, 5000, 6500, 8000, 7500];
    expect(lagKeptGrowing(rising, 1000)).toBe(true);
  });

  it("ignores a floor that rose by less than one second of input", () => {
    expect(lagKeptGrowing([0, 500, 100, 800, 300, 900, 400, 700], 1000)).toBe(false);
  });

  it("does not judge from too few samples", () => {
    expect(lagKeptGrowing([0, 10_000, 20_000], 100)).toBe(false);
  });
});
