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
  });

  it.each(["", "s", "-5s", "5 s", "5d", "five", "1e3"])(
    "rejects %j, saying what a duration looks like",
    (text) => {
      expect(() => parseDuration(text)).toThrow(/is not a duration: use a number with ms, s, m or h/);
    },
  );
});
