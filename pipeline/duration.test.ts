import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it("reads each unit, and a bare number as seconds", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("45s")).toBe(45_000);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration(" 3 ")).toBe(3_000);
    expect(parseDuration("0")).toBe(0);
  });

  it("reads compound durations as Go and k6 write them, largest unit first", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1h5m")).toBe(3_900_000);
    expect(parseDuration("2h45m10s500ms")).toBe(9_910_500);
    expect(parseDuration("1m0.5s")).toBe(60_500);
  });

  it.each(["", "s", "-5s", "5 s", "5d", "five", "1e3", "30s1m", "1m1m", "1m 30s", "m30s"])(
    "rejects %j, saying what a duration looks like",
    (text) => {
      expect(() => parseDuration(text)).toThrow(`${text} is not a duration: use a number with h, m, s or ms`);
    },
  );
});
