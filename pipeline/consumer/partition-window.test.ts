import { describe, expect, it } from "vitest";
import type { NormalizedLogin } from "../events/login-event.ts";
import { encodeAnalyticsRecord, parseAnalyticsRecord } from "./aggregate/record.ts";
import { deadLetter } from "./dead-letters.ts";
import { countRecord, MAX_ANALYTICS_RECORD_BYTES, PartitionWindow } from "./partition-window.ts";

const scope = { topic: "user-login", partition: 2, windowStartMs: 1_700_000_000_000, windowMs: 10_000 };
const emitted = { instanceId: "agg-1", emittedAtMs: 1_700_000_011_000 };

function login(locale: string, i = 0): NormalizedLogin {
  return { userId: `u${i}`, deviceType: "iOS", locale, appVersion: "2.3.0", timestampSec: 1_700_000_000 + i };
}

describe("PartitionWindow", () => {
  it("keeps an ordinary window in one record", () => {
    const window = new PartitionWindow(scope);
    for (let i = 0; i < 2_000; i += 1) window.addValid(String(100 + i), login(i % 2 ? "CA" : "NY", i), 0);
    const records = window.toRecords(emitted);
    expect(records).toHaveLength(1);
    expect(records[0]?.source).toMatchObject({ from_offset: "100", to_offset: "2099" });
    expect(records[0]?.total).toBe(2_000);
  });

  it("splits a window whose labels would pass the limit into records that tile its range, each under the limit", () => {
    const window = new PartitionWindow(scope);
    // 30 logins with ~60 KB locales (about 1.8 MB of labels), an invalid one among them, then 2,000 ordinary ones.
    for (let i = 0; i < 30; i += 1) window.addValid(String(i), login(`${i}-${"x".repeat(60_000)}`, i), 0);
    const bad = { key: null, value: Buffer.from("{"), offset: "30" };
    window.addInvalid("30", "not_json", deadLetter(bad, scope.topic, scope.partition, "not_json"));
    for (let i = 31; i < 2_031; i += 1) window.addValid(String(i), login("CA", i), 0);

    const records = window.toRecords(emitted);
    expect(records.length).toBeGreaterThanOrEqual(4);
    let next = 0n;
    for (const record of records) {
      const bytes = encodeAnalyticsRecord(record);
      expect(bytes.length).toBeLessThanOrEqual(MAX_ANALYTICS_RECORD_BYTES);
      expect(parseAnalyticsRecord(bytes)).toEqual(record);
      expect(BigInt(record.source.from_offset)).toBe(next);
      next = BigInt(record.source.to_offset) + 1n;
    }
    expect(next).toBe(2_031n);
    expect(records.reduce((n, r) => n + r.total, 0)).toBe(2_030);
    expect(records.reduce((n, r) => n + r.invalid, 0)).toBe(1);
    expect(window.deadLetters).toHaveLength(1);
    expect(window.firstOffset()).toBe("0");
    expect(window.nextOffset()).toBe("2031");
  });

  it("keeps a record under the limit even when every character of a 64 KiB label needs escaping", () => {
    const window = new PartitionWindow(scope);
    const escaped = "\u0001".repeat(21_000);
    for (let i = 0; i < 5; i += 1) window.addValid(String(i), login(`${i}${escaped}`, i), 0);
    for (const record of window.toRecords(emitted)) {
      expect(encodeAnalyticsRecord(record).length).toBeLessThanOrEqual(MAX_ANALYTICS_RECORD_BYTES);
    }
  });

  it("is due once processing time reaches the window's end", () => {
    const window = new PartitionWindow(scope);
    expect(window.isDue(scope.windowStartMs + 9_999)).toBe(false);
    expect(window.isDue(scope.windowStartMs + 10_000)).toBe(true);
  });

  it("measures latency from each record's Kafka timestamp to the commit", () => {
    const window = new PartitionWindow(scope);
    window.addValid("0", login("CA"), 1_000);
    window.addValid("1", login("CA"), 1_050);
    window.addValid("2", login("CA"), 1_500);
    expect(window.latencies(3_000)).toEqual([
      { seconds: 2, count: 2 },
      { seconds: 1.5, count: 1 },
    ]);
  });

  it("has nothing to commit until it counts a record", () => {
    const window = new PartitionWindow(scope);
    expect(window.isEmpty()).toBe(true);
    expect(window.firstOffset()).toBeUndefined();
    window.addValid("7", login("CA"), 0);
    expect(window.isEmpty()).toBe(false);
  });
});

describe("countRecord", () => {
  it("opens a partition's window in the current processing-time window, counts a valid record by its labels and an invalid one as a dead letter", () => {
    const windows = new Map<number, PartitionWindow>();
    const at = { topic: "user-login", partition: 4, windowMs: 10_000, nowMs: 1_700_000_004_321 };
    const valid = JSON.stringify({
      user_id: "u1",
      timestamp: 1_700_000_000,
      device_type: "iOS",
      locale: "CA",
    });
    const record = (offset: string, value: string) => ({
      offset,
      key: Buffer.from("u1"),
      value: Buffer.from(value),
      timestampMs: 1_700_000_004_000,
    });
    countRecord(windows, at, record("7", valid));
    countRecord(windows, { ...at, nowMs: at.nowMs + 20_000 }, record("8", "{"));
    const window = windows.get(4) as PartitionWindow;
    expect(window.scope.windowStartMs).toBe(1_700_000_000_000);
    const [counted] = window.toRecords(emitted);
    expect(counted).toMatchObject({ total: 1, invalid: 1, by_locale: { CA: 1 }, by_device_type: { iOS: 1 } });
    expect(counted?.source).toMatchObject({ partition: 4, from_offset: "7", to_offset: "8" });
    expect(window.deadLetters).toHaveLength(1);
    expect(window.deadLetters[0]?.headers).toMatchObject({
      "dlq.reason": "not_json",
      "dlq.source.offset": "8",
    });
  });
});
