import { describe, expect, it } from "vitest";
import type { Counts } from "../result/types.ts";
import type { AnalyticsSummary } from "../verify/analytics-ranges.ts";
import { exactnessProblems } from "./aggregator-exactness.ts";

const recount: Counts = {
  total: 1_000,
  valid: 980,
  invalid: 20,
  byDeviceType: new Map([
    ["android", 470],
    ["iOS", 460],
    ["unknown", 50],
  ]),
  byLocale: new Map([
    ["CA", 500],
    ["NY", 480],
  ]),
  byAppVersion: new Map([["2.3.0", 980]]),
  invalidByReason: new Map([
    ["not_json", 12],
    ["bad_timestamp", 8],
  ]),
};

function exactAnalytics(): AnalyticsSummary {
  return {
    total: 980,
    byDeviceType: new Map(recount.byDeviceType),
    byLocale: new Map(recount.byLocale),
    byAppVersion: new Map(recount.byAppVersion),
    invalid: 20,
    invalidByReason: new Map(recount.invalidByReason),
    records: 7,
    duplicates: [],
    duplicateCopies: 0,
    gaps: [],
    overlaps: [],
    missingCoverage: [],
  };
}
const dlq = { total: 20, byReason: new Map(recount.invalidByReason), letters: [] };

describe("exactnessProblems", () => {
  it("finds nothing wrong when aggregates, DLQ and ranges all match the recount", () => {
    expect(exactnessProblems(1_000, recount, exactAnalytics(), dlq, [])).toEqual([]);
  });

  it("names a locale counted twice even though device types still add up", () => {
    const analytics = exactAnalytics();
    analytics.byLocale = new Map([
      ["CA", 501],
      ["NY", 480],
    ]);
    const problems = exactnessProblems(1_000, recount, analytics, dlq, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/locale/);
  });

  it("reports records missing from the input, DLQ reasons that differ, and overlapping ranges", () => {
    const analytics = exactAnalytics();
    analytics.overlaps = [
      { topic: "in", partition: 0, first: { from: "0", to: "9" }, second: { from: "5", to: "12" } },
    ];
    const wrongDlq = { total: 20, byReason: new Map([["not_json", 20]]), letters: [] };
    expect(exactnessProblems(1_001, recount, analytics, wrongDlq, [])).toEqual([
      "input holds 1000 records, 1001 produced",
      "DLQ reasons differ from the recount",
      "1 overlapping ranges",
    ]);
  });
});
