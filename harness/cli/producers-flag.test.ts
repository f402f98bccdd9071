import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { producersFrom } from "./producers-flag.ts";

const constant = { kind: "constant", rate: 200 } as const;
const search = {
  kind: "search",
  startRate: 1_000,
  factor: 1.5,
  maxRate: 100_000,
  stepMs: 10_000,
  holdShare: 0.9,
  holdMs: 30_000,
} as const;

describe("producersFrom", () => {
  it("is 1 when not given, and the number given otherwise", () => {
    expect(producersFrom(undefined, constant)).toBe(1);
    expect(producersFrom("2", constant)).toBe(2);
    expect(producersFrom("1", search)).toBe(1);
  });

  for (const bad of ["0", "-1", "1.5", "two", "", "33"]) {
    it(`refuses --producers ${JSON.stringify(bad)} with the range it takes`, () => {
      expect(() => producersFrom(bad, constant)).toThrow(/is not a whole number from 1 to 32/);
    });
  }

  it("refuses more than one process for a max-rate search, saying why", () => {
    const call = () => producersFrom("2", search);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(/cannot drive a max-rate search/);
  });

  it("refuses the flag given twice", () => {
    expect(() => producersFrom(["2", "3"], constant)).toThrow(/given 2 times/);
  });
});
