import { base, Faker } from "@faker-js/faker";
import { describe, expect, it } from "vitest";
import { seededUuid } from "./seeded-uuid.ts";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function ids(seed: number, count: number): string[] {
  const faker = new Faker({ locale: base, seed });
  return Array.from({ length: count }, () => seededUuid(() => faker.number.int(0xffffffff)));
}

describe("seededUuid", () => {
  it("lays the four words out in order, with the version and variant bits set", () => {
    const words = [0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210];
    expect(seededUuid(() => words.shift() ?? 0)).toBe("01234567-89ab-4def-bedc-ba9876543210");
    expect(seededUuid(() => 0)).toBe("00000000-0000-4000-8000-000000000000");
    expect(seededUuid(() => 0xffffffff)).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
  });

  it("gives the same sequence for the same seed, distinct well-formed v4 ids, every hex digit used", () => {
    const a = ids(3, 5000);
    expect(ids(3, 5000)).toEqual(a);
    expect(ids(4, 5000).filter((id) => a.includes(id))).toEqual([]);
    expect(a.every((id) => V4.test(id))).toBe(true);
    expect(new Set(a).size).toBe(a.length);
    for (const position of [0, 9, 15, 19, 35]) {
      const digits = new Set(a.map((id) => id[position]));
      expect(digits.size, `position ${position}`).toBe(position === 19 ? 4 : 16);
    }
  });
});
