import { describe, expect, it } from "vitest";
import { OffsetTimes } from "./offset-times.ts";

describe("OffsetTimes", () => {
  it("remembers due times by partition and offset, across chunk boundaries", () => {
    const times = new OffsetTimes();
    times.set(0, 65_535n, 1_000);
    times.set(0, 65_536n, 2_000);
    times.set(1, 65_535n, 3_000);
    expect(times.get(0, 65_535n)).toBe(1_000);
    expect(times.get(0, 65_536n)).toBe(2_000);
    expect(times.get(1, 65_535n)).toBe(3_000);
    expect(times.get(1, 65_536n)).toBeUndefined();
    expect(times.get(2, 0n)).toBeUndefined();
  });

  it("stores a run of consecutive offsets as set would, across two chunk boundaries", () => {
    const bulk = new OffsetTimes();
    const single = new OffsetTimes();
    const first = 65_530n;
    const records = Array.from({ length: 65_536 + 20 }, (_, i) => ({ dueTimeMs: 1_000 + i }));
    bulk.setAll(3, first, records);
    for (const [i, record] of records.entries()) single.set(3, first + BigInt(i), record.dueTimeMs);
    for (const offset of [65_529n, 65_530n, 65_535n, 65_536n, 131_071n, 131_072n, 131_085n, 131_086n]) {
      expect(bulk.get(3, offset), `offset ${offset}`).toBe(single.get(3, offset));
    }
    expect(bulk.get(3, 131_085n)).toBe(1_000 + 65_555);
    expect(bulk.get(3, 131_086n)).toBeUndefined();
    const seen: number[] = [];
    bulk.forEachInRange(3, 0n, 200_000n, (t) => seen.push(t));
    expect(seen).toEqual(records.map((r) => r.dueTimeMs));
  });

  it("visits only known offsets in an inclusive range", () => {
    const times = new OffsetTimes();
    for (const offset of [10n, 11n, 13n, 65_540n]) times.set(0, offset, Number(offset));
    const seen: number[] = [];
    times.forEachInRange(0, 11n, 65_540n, (t) => seen.push(t));
    expect(seen).toEqual([11, 13, 65_540]);
  });

  it("forgets whole chunks below a committed offset and keeps the rest", () => {
    const times = new OffsetTimes();
    times.set(0, 5n, 1);
    times.set(0, 70_000n, 2);
    times.forgetBelow(0, 70_001n);
    expect(times.get(0, 5n)).toBeUndefined();
    expect(times.get(0, 70_000n)).toBe(2);
  });
});
