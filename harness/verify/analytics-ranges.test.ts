import { describe, expect, it } from "vitest";
import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { Counts } from "../load/ledger.ts";
import { rangeBounds, summariseAnalytics } from "./analytics-ranges.ts";
import { countAssertions, lostAndDuplicated } from "./count-assertions.ts";
import { rangeAssertion } from "./range-assertion.ts";

/** A record covering `from`..`to` of partition `partition`, with `android` logins in CA and `invalid` bad ones. */
function rec(
  partition: number,
  from: number,
  to: number,
  counts: { android?: number; iOS?: number; invalid?: number; topic?: string } = {},
): AnalyticsRecord {
  const android = counts.android ?? to - from + 1 - (counts.invalid ?? 0) - (counts.iOS ?? 0);
  const iOS = counts.iOS ?? 0;
  const invalid = counts.invalid ?? 0;
  const total = android + iOS;
  return {
    schema_version: 1,
    window_start: "2023-09-12T00:45:40.000Z",
    window_end: "2023-09-12T00:46:00.000Z",
    total,
    by_device_type: iOS > 0 ? { android, iOS } : { android },
    by_locale: { CA: total },
    by_app_version: { "2.3.0": total },
    invalid,
    invalid_by_reason: invalid > 0 ? { not_json: invalid } : {},
    event_time: total > 0 ? { min_sec: 1, max_sec: 2 } : null,
    source: {
      topic: counts.topic ?? "user-login",
      partition,
      from_offset: String(from),
      to_offset: String(to),
    },
    aggregator: { instance_id: "a", emitted_at: "2023-09-12T00:46:01.000Z" },
  };
}

describe("summariseAnalytics", () => {
  it("adds up records that tile each partition", () => {
    const summary = summariseAnalytics([
      rec(0, 0, 9, { iOS: 4, invalid: 1 }),
      rec(1, 0, 4),
      rec(0, 10, 19),
      rec(1, 5, 5, { invalid: 1 }),
    ]);
    expect(summary).toEqual({
      total: 9 + 5 + 10,
      byDeviceType: new Map([
        ["android", 5 + 5 + 10],
        ["iOS", 4],
      ]),
      byLocale: new Map([["CA", 24]]),
      byAppVersion: new Map([["2.3.0", 24]]),
      invalid: 2,
      invalidByReason: new Map([["not_json", 2]]),
      records: 4,
      duplicates: [],
      duplicateCopies: 0,
      gaps: [],
      overlaps: [],
      missingCoverage: [],
    });
  });

  it("counts every copy of a range, as a reader summing the topic does, and names the range", () => {
    const summary = summariseAnalytics([rec(0, 0, 9), rec(0, 10, 19), rec(0, 0, 9), rec(0, 0, 9)]);
    expect(summary.total).toBe(40);
    expect(summary.records).toBe(4);
    expect(summary.duplicates).toEqual([
      { topic: "user-login", partition: 0, from: "0", to: "9", copies: 3, sameCounts: true },
    ]);
    expect(summary.duplicateCopies).toBe(2);
    expect(summary.overlaps).toEqual([]);
  });

  it("fails a run whose analytics hold an identical copy of one range: counted twice, by name", () => {
    const once = [rec(0, 0, 9), rec(0, 10, 19), rec(1, 0, 4)];
    const recount: Counts = {
      total: 25,
      valid: 25,
      invalid: 0,
      byDeviceType: new Map([["android", 25]]),
      byLocale: new Map([["CA", 25]]),
      byAppVersion: new Map([["2.3.0", 25]]),
      invalidByReason: new Map(),
    };
    const judge = (records: AnalyticsRecord[]) => {
      const summary = summariseAnalytics(records);
      const aggregates = { ...summary, dlqRecords: 0 };
      return {
        failed: [...countAssertions(recount, recount, aggregates), rangeAssertion(summary, [])]
          .filter((a) => !a.pass)
          .map((a) => a.detail ?? a.name),
        ...lostAndDuplicated(recount, aggregates),
      };
    };
    expect(judge(once)).toEqual({ failed: [], lost: 0, duplicated: 0 });
    expect(judge([...once, rec(0, 10, 19)])).toEqual({
      failed: [
        "+10 (extra)",
        "android: recount 25, aggregates 35 (+10)",
        "CA: recount 25, aggregates 35 (+10)",
        "2.3.0: recount 25, aggregates 35 (+10)",
        "offsets 10–19 of user-login/0 published 2 times",
      ],
      lost: 0,
      duplicated: 10,
    });
  });

  it("says when the copies of a range disagree", () => {
    const summary = summariseAnalytics([rec(0, 0, 9), rec(0, 0, 9, { iOS: 1 })]);
    expect(summary.duplicates).toEqual([
      { topic: "user-login", partition: 0, from: "0", to: "9", copies: 2, sameCounts: false },
    ]);
  });

  it("does not mistake the same labels in another order for different counts", () => {
    const a = rec(0, 0, 9, { iOS: 3 });
    const b = { ...a, by_device_type: { iOS: 3, android: 7 } };
    expect(summariseAnalytics([a, b]).duplicates[0]?.sameCounts).toBe(true);
  });

  it("reports gaps between ranges, whatever order the records came in", () => {
    const summary = summariseAnalytics([rec(0, 12, 19), rec(0, 0, 9), rec(0, 25, 30)]);
    expect(summary.gaps).toEqual([
      { topic: "user-login", partition: 0, after: "9", before: "12" },
      { topic: "user-login", partition: 0, after: "19", before: "25" },
    ]);
    expect(summary.overlaps).toEqual([]);
  });

  it("reports overlapping ranges, which mean double counting, and keeps both in the totals", () => {
    const summary = summariseAnalytics([rec(0, 0, 9), rec(0, 5, 14), rec(0, 15, 20), rec(0, 16, 17)]);
    expect(summary.overlaps).toEqual([
      { topic: "user-login", partition: 0, first: { from: "0", to: "9" }, second: { from: "5", to: "14" } },
      {
        topic: "user-login",
        partition: 0,
        first: { from: "15", to: "20" },
        second: { from: "16", to: "17" },
      },
    ]);
    expect(summary.total).toBe(10 + 10 + 6 + 2);
    expect(summary.gaps).toEqual([]);
  });

  it("keeps partitions and topics apart", () => {
    const summary = summariseAnalytics([rec(0, 0, 9), rec(1, 5, 9), rec(0, 0, 9, { topic: "other" })]);
    expect(summary.duplicates).toEqual([]);
    expect(summary.overlaps).toEqual([]);
    expect(summary.gaps).toEqual([]);
  });

  // Beyond 2^53 doubles would read 9007199254740993 as ...992 and see an overlap.
  it("orders offsets as 64-bit integers", () => {
    const first = rec(0, 0, 0);
    first.source = { ...first.source, from_offset: "9007199254740990", to_offset: "9007199254740992" };
    const second = rec(0, 0, 0);
    second.source = { ...second.source, from_offset: "9007199254740993", to_offset: "9007199254740993" };
    const summary = summariseAnalytics([second, first]);
    expect(summary.gaps).toEqual([]);
    expect(summary.overlaps).toEqual([]);
  });

  it("reports expected coverage missing at the start, at the end, or entirely", () => {
    const summary = summariseAnalytics([rec(0, 3, 9), rec(1, 0, 4), rec(2, 0, 9)], {
      expectedCoverage: {
        topic: "user-login",
        partitions: new Map([
          [0, [0n, 12n]],
          [1, [0n, 4n]],
          [2, [0n, 9n]],
          [3, [0n, 1n]],
        ]),
      },
    });
    expect(summary.missingCoverage).toEqual([
      { topic: "user-login", partition: 0, from: "0", to: "2" },
      { topic: "user-login", partition: 0, from: "10", to: "12" },
      { topic: "user-login", partition: 3, from: "0", to: "1" },
    ]);
  });

  it("expects nothing of a partition whose expected range is empty", () => {
    const summary = summariseAnalytics([], {
      expectedCoverage: { topic: "user-login", partitions: new Map([[0, [0n, -1n]]]) },
    });
    expect(summary.missingCoverage).toEqual([]);
  });

  it("adds up labels spelt __proto__, constructor and toString like any other", () => {
    const odd = (n: number) => JSON.parse(`{"__proto__":${n},"constructor":${n},"toString":${n}}`);
    const a = { ...rec(0, 0, 1), by_locale: odd(2) };
    const b = { ...rec(0, 2, 2), by_locale: odd(1) };
    expect([...summariseAnalytics([a, b]).byLocale]).toEqual([
      ["__proto__", 3],
      ["constructor", 3],
      ["toString", 3],
    ]);
  });
});

describe("rangeBounds", () => {
  it("is zero when the ranges tile the input once", () => {
    expect(rangeBounds(summariseAnalytics([rec(0, 0, 9), rec(0, 10, 19)]))).toEqual({
      uncovered: 0,
      overcounted: 0,
    });
  });

  it("counts a dropped window and a re-read one, which cancel in every count, as lost and as counted twice", () => {
    // 0–9 counted, 10–19 dropped, 20–29 counted twice over two overlapping windows: totals look exact.
    const summary = summariseAnalytics([rec(0, 0, 9), rec(0, 20, 29), rec(0, 15, 24), rec(0, 30, 34)], {
      expectedCoverage: { topic: "user-login", partitions: new Map([[0, [0n, 34n] as const]]) },
    });
    expect(rangeBounds(summary)).toEqual({ uncovered: 5, overcounted: 5 });
  });

  it("counts each extra copy of a range and offsets no range reaches at a partition's ends", () => {
    const summary = summariseAnalytics([rec(0, 0, 9), rec(0, 0, 9), rec(0, 0, 9)], {
      expectedCoverage: { topic: "user-login", partitions: new Map([[0, [0n, 14n] as const]]) },
    });
    expect(rangeBounds(summary)).toEqual({ uncovered: 5, overcounted: 20 });
  });
});
