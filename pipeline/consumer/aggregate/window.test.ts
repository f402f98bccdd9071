import { describe, expect, it } from "vitest";
import type { NormalizedLogin } from "../../events/login-event.ts";
import { encodeAnalyticsRecord, parseAnalyticsRecord } from "./record.ts";
import { PartitionWindowAccumulator, windowStart } from "./window.ts";

const scope = { topic: "user-login", partition: 3, windowStartMs: 1_694_479_540_000, windowMs: 20_000 };
const emitted = { instanceId: "consumer-a", emittedAtMs: 1_694_479_561_000 };

/** A valid login of the window above; `patch` changes what a test is about. */
const LOGIN: NormalizedLogin = {
  userId: "u1",
  deviceType: "android",
  locale: "CA",
  appVersion: "2.3.0",
  timestampSec: 1_694_479_551,
};
const login = (patch: Partial<NormalizedLogin> = {}): NormalizedLogin => ({ ...LOGIN, ...patch });

describe("windowStart", () => {
  it("aligns to multiples of the window since the epoch", () => {
    expect(windowStart(1_694_479_551_123, 20_000)).toBe(1_694_479_540_000);
    expect(windowStart(1_694_479_540_000, 20_000)).toBe(1_694_479_540_000);
    expect(windowStart(1_694_479_559_999, 20_000)).toBe(1_694_479_540_000);
    expect(windowStart(1_694_479_560_000, 20_000)).toBe(1_694_479_560_000);
  });

  it("rounds down before the epoch too", () => {
    expect(windowStart(-1, 1000)).toBe(-1000);
  });

  it("refuses a window that is not a positive whole number", () => {
    expect(() => windowStart(0, 0)).toThrow(/positive whole number/);
    expect(() => windowStart(0, 1.5)).toThrow(RangeError);
  });
});

describe("PartitionWindowAccumulator", () => {
  it("counts valid and invalid records and remembers the offset range", () => {
    const acc = new PartitionWindowAccumulator(scope);
    expect(acc.isEmpty()).toBe(true);
    acc.addValid("100", login({ timestampSec: 20 }));
    acc.addValid("101", login({ deviceType: "iOS", locale: "NY", timestampSec: 10 }));
    acc.addInvalid("103", "not_json");
    acc.addValid("104", login({ deviceType: "unknown", timestampSec: 30 }));
    acc.addInvalid("105", "not_json");
    acc.addInvalid("106", "bad_timestamp");
    expect(acc.isEmpty()).toBe(false);
    expect(acc.nextOffset()).toBe("107");

    expect(acc.toRecord(emitted)).toEqual({
      schema_version: 1,
      window_start: "2023-09-12T00:45:40.000Z",
      window_end: "2023-09-12T00:46:00.000Z",
      total: 3,
      by_device_type: { android: 1, iOS: 1, unknown: 1 },
      by_locale: { CA: 2, NY: 1 },
      by_app_version: { "2.3.0": 3 },
      invalid: 3,
      invalid_by_reason: { not_json: 2, bad_timestamp: 1 },
      event_time: { min_sec: 10, max_sec: 30 },
      source: { topic: "user-login", partition: 3, from_offset: "100", to_offset: "106" },
      aggregator: { instance_id: "consumer-a", emitted_at: "2023-09-12T00:46:01.000Z" },
    });
  });

  it("has no event time when only invalid records arrived", () => {
    const acc = new PartitionWindowAccumulator(scope);
    acc.addInvalid("7", "empty");
    expect(acc.toRecord(emitted)).toMatchObject({ total: 0, invalid: 1, event_time: null });
  });

  it("writes records its own parser accepts", () => {
    const acc = new PartitionWindowAccumulator(scope);
    acc.addValid("0", login());
    acc.addInvalid("1", "too_large");
    const record = acc.toRecord(emitted);
    expect(parseAnalyticsRecord(encodeAnalyticsRecord(record))).toEqual(record);
  });

  it("counts a label spelt __proto__ like any other", () => {
    const acc = new PartitionWindowAccumulator(scope);
    acc.addValid("0", login({ locale: "__proto__" }));
    acc.addValid("1", login({ locale: "__proto__" }));
    const record = parseAnalyticsRecord(encodeAnalyticsRecord(acc.toRecord(emitted)));
    expect(Object.entries(record.by_locale)).toEqual([["__proto__", 2]]);
  });

  it("compares offsets as 64-bit integers, not as text or doubles", () => {
    const acc = new PartitionWindowAccumulator(scope);
    acc.addValid("9", login());
    acc.addValid("10", login());
    acc.addValid("9007199254740993", login());
    expect(acc.toRecord(emitted).source).toMatchObject({ from_offset: "9", to_offset: "9007199254740993" });
  });

  it("refuses an offset that does not move forward, since that would count a record twice", () => {
    const acc = new PartitionWindowAccumulator(scope);
    acc.addValid("5", login());
    expect(() => acc.addValid("5", login())).toThrow(/not after 5/);
    expect(() => acc.addInvalid("4", "not_json")).toThrow(RangeError);
    expect(acc.toRecord(emitted).total).toBe(1);
  });

  it("has nothing to emit when empty", () => {
    const acc = new PartitionWindowAccumulator(scope);
    expect(acc.nextOffset()).toBeUndefined();
    expect(() => acc.toRecord(emitted)).toThrow(/nothing to emit/);
  });
});
