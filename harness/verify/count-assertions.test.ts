import { describe, expect, it } from "vitest";
import type { Assertion } from "../core/assertion.ts";
import type { Counts } from "../load/ledger.ts";
import { countAssertions, lostAndDuplicated, lostBeyondLag } from "./count-assertions.ts";
import type { UncoveredRecords } from "./range-recount.ts";
import type { AggregateCounts } from "./types.ts";

/** A Map from an object literal: the test data reads like the report. */
const labels = (counts: Record<string, number>) => new Map(Object.entries(counts));

const recount: Counts = {
  total: 1_010,
  valid: 1_000,
  invalid: 10,
  byDeviceType: labels({ android: 600, iOS: 350, unknown: 50 }),
  byLocale: labels({ CA: 500, NY: 300, TX: 200 }),
  byAppVersion: labels({ "2.3.0": 990, "2.4.0": 10 }),
  invalidByReason: labels({ not_json: 6, empty: 4 }),
};

const exact: AggregateCounts = {
  total: 1_000,
  byDeviceType: labels({ android: 600, iOS: 350, unknown: 50 }),
  byLocale: labels({ CA: 500, NY: 300, TX: 200 }),
  byAppVersion: labels({ "2.3.0": 990, "2.4.0": 10 }),
  invalid: 10,
  invalidByReason: labels({ not_json: 6, empty: 4 }),
  records: 42,
  duplicateCopies: 0,
  dlqRecords: 10,
};

const failing = (assertions: Assertion[]) => assertions.filter((a) => !a.pass);

describe("countAssertions", () => {
  it("passes every check when ledger, recount, aggregates and DLQ agree", () => {
    const assertions = countAssertions(recount, recount, exact);
    expect(assertions.map((a) => a.name)).toEqual([
      "ledger total = recount total",
      "ledger valid = recount valid",
      "ledger invalid = recount invalid",
      "ledger invalid by reason = recount",
      "aggregated total = recount valid",
      "aggregated invalid = recount invalid",
      "aggregates by device_type = recount",
      "aggregates by locale = recount",
      "aggregates by app_version = recount",
      "DLQ records = recount invalid",
    ]);
    expect(failing(assertions)).toEqual([]);
    expect(assertions[7]).toEqual({
      name: "aggregates by locale = recount",
      relation: "=",
      expectedValue: recount.byLocale,
      observedValue: exact.byLocale,
      unit: "events",
      expected: "3 values, 1,000 in all",
      observed: "3 values, 1,000 in all",
      pass: true,
    });
  });

  it("leaves the ledger's checks out when there is no ledger (an external driver), and still fails a bad aggregate", () => {
    const assertions = countAssertions(undefined, recount, { ...exact, total: exact.total - 1 });
    expect(assertions.map((a) => a.name).filter((name) => name.startsWith("ledger"))).toEqual([]);
    expect(failing(assertions).map((a) => a.name)).toContain("aggregated total = recount valid");
  });

  it("keeps the compared counts as numbers beside the text", () => {
    const [total] = countAssertions({ ...recount, total: 1_013 }, recount, exact);
    expect(total).toMatchObject({ relation: "=", expectedValue: 1_013, observedValue: 1_010, pass: false });
  });

  it("catches a loss in one locale hidden by a duplicate in another, naming both", () => {
    const aggregates = { ...exact, byLocale: labels({ CA: 498, NY: 302, TX: 200 }) };
    const [locale, ...others] = failing(countAssertions(recount, recount, aggregates));
    expect(others).toEqual([]);
    expect(locale).toMatchObject({
      name: "aggregates by locale = recount",
      expected: "3 values, 1,000 in all",
      observed: "2 of 3 values differ",
      pass: false,
      detail: "CA: recount 500, aggregates 498 (−2); NY: recount 300, aggregates 302 (+2)",
    });
  });

  it("fails on an app version counted under the wrong label", () => {
    const aggregates = { ...exact, byAppVersion: labels({ "2.3.0": 1_000 }) };
    const found = failing(countAssertions(recount, recount, aggregates));
    expect(found.map((a) => [a.name, a.detail])).toEqual([
      [
        "aggregates by app_version = recount",
        "2.3.0: recount 990, aggregates 1,000 (+10); 2.4.0: recount 10, aggregates 0 (−10)",
      ],
    ]);
  });

  it("reports a ledger the topic does not match, and a short DLQ", () => {
    const ledger = {
      ...recount,
      total: 1_013,
      invalid: 13,
      invalidByReason: labels({ not_json: 9, empty: 4 }),
    };
    const found = failing(countAssertions(ledger, recount, { ...exact, dlqRecords: 9 }));
    expect(found.map((a) => [a.name, a.expected, a.observed, a.detail])).toEqual([
      ["ledger total = recount total", "1,013", "1,010", "−3 (missing)"],
      ["ledger invalid = recount invalid", "13", "10", "−3 (missing)"],
      [
        "ledger invalid by reason = recount",
        "2 values, 13 in all",
        "1 of 2 values differ",
        "not_json: ledger 9, recount 6 (−3)",
      ],
      ["DLQ records = recount invalid", "10", "9", "−1 (missing)"],
    ]);
  });

  it("lists at most ten differing labels", () => {
    const many = new Map(Array.from({ length: 12 }, (_, i) => [`L${String(i).padStart(2, "0")}`, 10]));
    const off = new Map([...many.keys()].map((k) => [k, 11]));
    const [locale] = failing(
      countAssertions(
        { ...recount, byLocale: many },
        { ...recount, byLocale: many },
        { ...exact, byLocale: off },
      ),
    );
    expect(locale?.observed).toBe("12 of 12 values differ");
    expect(locale?.detail?.split("; ")).toHaveLength(11);
    expect(locale?.detail).toMatch(/; and 2 more$/);
  });

  it("checks the Prometheus counters when given, against the recount", () => {
    const prometheus = {
      total: 1_000,
      byDeviceType: labels({ android: 1_200, iOS: 700, unknown: 100 }),
      byLocale: recount.byLocale,
    };
    const assertions = countAssertions(recount, recount, exact, prometheus);
    expect(assertions.slice(-3).map((a) => [a.name, a.pass])).toEqual([
      ["Prometheus total = recount valid", true],
      ["Prometheus by device_type = recount", false],
      ["Prometheus by locale = recount", true],
    ]);
    expect(assertions.at(-2)?.detail).toBe(
      "android: recount 600, Prometheus 1,200 (+600); iOS: recount 350, Prometheus 700 (+350); unknown: recount 50, Prometheus 100 (+50)",
    );
  });
});

describe("lostAndDuplicated", () => {
  it("is zero for exact aggregates", () => {
    expect(lostAndDuplicated(recount, exact)).toEqual({ lost: 0, duplicated: 0 });
  });

  it("sees losses and duplicates that cancel out in the total", () => {
    const aggregates = { ...exact, byLocale: labels({ CA: 497, NY: 303, TX: 200 }) };
    expect(lostAndDuplicated(recount, aggregates)).toEqual({ lost: 3, duplicated: 3 });
  });

  it("takes the worst dimension and adds invalid records missing from or repeated in the DLQ", () => {
    const aggregates = {
      ...exact,
      total: 995,
      byDeviceType: labels({ android: 598, iOS: 347, unknown: 50 }),
      byLocale: labels({ CA: 495, NY: 300, TX: 200 }),
      dlqRecords: 12,
    };
    expect(lostAndDuplicated(recount, aggregates)).toEqual({ lost: 5, duplicated: 2 });
  });

  it("sees a swap between app versions that every other dimension hides", () => {
    const aggregates = { ...exact, byAppVersion: labels({ "2.3.0": 1_000 }) };
    expect(lostAndDuplicated(recount, aggregates)).toEqual({ lost: 10, duplicated: 10 });
  });

  it("takes the ranges' figures when a dropped window and a re-read one cancel in every count", () => {
    const ranges = { uncovered: 844, overcounted: 844 };
    expect(lostAndDuplicated(recount, exact, undefined, ranges)).toEqual({ lost: 844, duplicated: 844 });
  });

  it("counts dead letters record by record when they were checked by source", () => {
    const swapped = { missing: 2, extra: 1, duplicated: 1 };
    expect(lostAndDuplicated(recount, exact, swapped)).toEqual({ lost: 2, duplicated: 2 });
  });
});

describe("lostBeyondLag", () => {
  const noDeadLetterProblems = { missing: 0, extra: 0, duplicated: 0 };
  const ranges = { uncovered: 0, overcounted: 0 };
  /** 40 events (38 CA/android/2.3.0 logins, 2 not_json) ahead of the committed offsets, and `lost` behind them. */
  const uncovered = (lost: number): UncoveredRecords => ({
    committedKnown: true,
    lost: { records: lost, spans: [], unlistedSpans: 0 },
    notYetAggregated: {
      records: 40,
      spans: [],
      unlistedSpans: 0,
      committed: [],
      counts: {
        total: 40,
        valid: 38,
        invalid: 2,
        byDeviceType: labels({ android: 38 }),
        byLocale: labels({ CA: 38 }),
        byAppVersion: labels({ "2.3.0": 38 }),
        invalidByReason: labels({ not_json: 2 }),
      },
    },
  });
  const lagging = {
    ...exact,
    total: 962,
    byDeviceType: labels({ android: 562, iOS: 350, unknown: 50 }),
    byLocale: labels({ CA: 462, NY: 300, TX: 200 }),
    byAppVersion: labels({ "2.3.0": 952, "2.4.0": 10 }),
    invalid: 8,
    dlqRecords: 8,
  };
  const twoLettersMissing = { ...noDeadLetterProblems, missing: 2 };

  it("does not call events still ahead of the committed offsets lost", () => {
    expect(lostAndDuplicated(recount, lagging, twoLettersMissing, ranges).lost).toBe(40);
    expect(lostBeyondLag(recount, lagging, twoLettersMissing, ranges, uncovered(0))).toEqual({
      lost: 0,
      duplicated: 0,
    });
  });

  it("still counts what no range holds behind the committed offsets as lost", () => {
    expect(lostBeyondLag(recount, lagging, twoLettersMissing, ranges, uncovered(7)).lost).toBe(7);
  });

  it("still counts a loss inside counted ranges, which no uncovered record shows", () => {
    const alsoSkipped = { ...lagging, total: 959, byLocale: labels({ CA: 459, NY: 300, TX: 200 }) };
    expect(lostBeyondLag(recount, alsoSkipped, twoLettersMissing, ranges, uncovered(0)).lost).toBe(3);
  });
});
