import { describe, expect, it } from "vitest";
import {
  type AnalyticsRecord,
  AnalyticsRecordError,
  analyticsKey,
  encodeAnalyticsRecord,
  parseAnalyticsRecord,
} from "./record.ts";

const good: AnalyticsRecord = {
  schema_version: 1,
  window_start: "2023-09-12T00:45:40.000Z",
  window_end: "2023-09-12T00:46:00.000Z",
  total: 3,
  by_device_type: { android: 2, unknown: 1 },
  by_locale: { CA: 3 },
  by_app_version: { "2.3.0": 3 },
  invalid: 1,
  invalid_by_reason: { not_json: 1 },
  event_time: { min_sec: 1_694_479_541, max_sec: 1_694_479_559 },
  source: { topic: "user-login", partition: 2, from_offset: "40", to_offset: "44" },
  aggregator: { instance_id: "consumer-a", emitted_at: "2023-09-12T00:46:01.000Z" },
};

function bytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function problemWith(value: Buffer | null): string {
  try {
    parseAnalyticsRecord(value);
  } catch (error) {
    expect(error).toBeInstanceOf(AnalyticsRecordError);
    return (error as Error).message;
  }
  return "accepted";
}

describe("analytics record", () => {
  it("round-trips through its encoding", () => {
    expect(parseAnalyticsRecord(encodeAnalyticsRecord(good))).toEqual(good);
  });

  it("is keyed by the input range it covers", () => {
    expect(analyticsKey(good.source)).toBe("user-login:2:40-44");
  });

  it("accepts a range longer than the count, as transaction markers take offsets", () => {
    const withMarkers = { ...good, source: { ...good.source, to_offset: "60" } };
    expect(problemWith(bytes(withMarkers))).toBe("accepted");
  });

  it.each([
    ["an empty value", null, /empty/],
    ["text that is not JSON", Buffer.from("{oops"), /not JSON/],
    ["another schema version", bytes({ ...good, schema_version: 2 }), /schema_version/],
    ["an unknown field", bytes({ ...good, extra: 1 }), /extra/],
    ["a missing field", bytes({ ...good, total: undefined }), /total/],
    ["a numeric offset", bytes({ ...good, source: { ...good.source, from_offset: 40 } }), /from_offset/],
    ["a negative count", bytes({ ...good, by_locale: { CA: -3 } }), /by_locale/],
    ["an unknown invalid reason", bytes({ ...good, invalid_by_reason: { weird: 1 } }), /invalid_by_reason/],
    ["a window that is not ISO time", bytes({ ...good, window_start: "yesterday" }), /window_start/],
  ])("rejects %s", (_name, value, message) => {
    expect(problemWith(value)).toMatch(message);
  });

  it.each([
    ["counts that do not add up to total", { by_locale: { CA: 2 } }, /by_locale sums to 2, total is 3/],
    ["reasons that do not add up to invalid", { invalid: 2 }, /invalid_by_reason sums to 1, invalid is 2/],
    [
      "more records than offsets",
      { source: { ...good.source, to_offset: "42" } },
      /4 records counted in a range of 3/,
    ],
    ["a range that runs backwards", { source: { ...good.source, to_offset: "39" } }, /before from_offset/],
    ["an empty window", { window_end: good.window_start }, /window_end is not after/],
    [
      "event time with no valid records",
      { total: 0, by_device_type: {}, by_locale: {}, by_app_version: {} },
      /null/,
    ],
  ])("rejects %s, naming the record", (_name, patch, message) => {
    const text = problemWith(bytes({ ...good, ...patch }));
    expect(text).toMatch(message);
    expect(text).toContain("user-login:2:");
  });
});
