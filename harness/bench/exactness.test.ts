import { describe, expect, it } from "vitest";
import type { AnalyticsSummary } from "../../pipeline/consumer/aggregate/reader.ts";
import type { Counts } from "../result/types.ts";
import { exactnessProblems } from "./exactness.ts";

const recount: Counts = {
  total: 1_000,
  valid: 980,
  invalid: 20,
  byDeviceType: { android: 470, iOS: 460, "(missing)": 50 },
  byLocale: { CA: 500, NY: 480 },
  invalidByReason: { not_json: 12, bad_timestamp: 8 },
};

function exactAnalytics(): AnalyticsSummary {
  return {
    total: 980,
    byDeviceType: { ...recount.byDeviceType },
    byLocale: { ...recount.byLocale },
    byAppVersion: { "2.3.0": 980 },
    invalid: 20,
    invalidByReason: { not_json: 12, bad_timestamp: 8 },
    records: 7,
    duplicateRangesDropped: 0,
    conflictingDuplicates: [],
    gaps: [],
    overlaps: [],
    missingCoverage: [],
  };
}
const dlq = { total: 20, byReason: { not_json: 12, bad_timestamp: 8 } };

describe("exactnessProblems", () => {
  it("finds nothing wrong when aggregates, DLQ and ranges all match the recount", () => {
    expect(exactnessProblems(1_000, recount, exactAnalytics(), dlq, [])).toEqual([]);
  });

  it("names a locale counted twice even though device types still add up", () => {
    const analytics = exactAnalytics();
    analytics.byLocale = { CA: 501, NY: 480 };
    const problems = exactnessProblems(1_000, recount, analytics, dlq, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/locale/);
  });

  it("reports records missing from the input, DLQ reasons that differ, and overlapping ranges", () => {
    const analytics = exactAnalytics();
    analytics.overlaps = [
      { topic: "in", partition: 0, first: { from: "0", to: "9" }, second: { from: "5", to: "12" } },
    ];
    const wrongDlq = { total: 20, byReason: { not_json: 20 } };
    expect(exactnessProblems(1_001, recount, analytics, wrongDlq, [])).toEqual([
      "input holds 1000 records, 1001 produced",
      "DLQ reasons differ from the recount",
      "1 overlapping ranges",
    ]);
  });
});
