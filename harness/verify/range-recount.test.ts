import { describe, expect, it } from "vitest";
import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { ValidationResult } from "../../pipeline/events/login-event.ts";
import { MAX_SPANS, RangeRecounter } from "./range-recount.ts";
import { rangeRecountAssertion } from "./range-recount-assertion.ts";

const TOPIC = "user-login";

const valid = (locale = "CA"): ValidationResult => ({
  ok: true,
  event: { userId: "u", deviceType: "iOS", locale, appVersion: "2.3.0", timestampSec: 1 },
});
const notJson: ValidationResult = { ok: false, reason: "not_json" };

function record(
  partition: number,
  from: number,
  to: number,
  counts: { total: number; locales?: Record<string, number>; invalid?: number },
  instance = "agg-1",
): AnalyticsRecord {
  const invalid = counts.invalid ?? 0;
  return {
    schema_version: 1,
    window_start: "2023-09-12T00:45:40.000Z",
    window_end: "2023-09-12T00:46:00.000Z",
    total: counts.total,
    by_device_type: counts.total ? { iOS: counts.total } : {},
    by_locale: counts.locales ?? (counts.total ? { CA: counts.total } : {}),
    by_app_version: counts.total ? { "2.3.0": counts.total } : {},
    invalid,
    invalid_by_reason: invalid ? { not_json: invalid } : {},
    event_time: null,
    source: { topic: TOPIC, partition, from_offset: String(from), to_offset: String(to) },
    aggregator: { instance_id: instance, emitted_at: "2023-09-12T00:46:01.000Z" },
  };
}

/** Streams `verdicts` as offsets 0, 1, 2… of `partition`, skipping the offsets in `markers`. */
function feed(
  recounter: RangeRecounter,
  partition: number,
  verdicts: ValidationResult[],
  markers: number[] = [],
) {
  let offset = 0;
  for (const verdict of verdicts) {
    while (markers.includes(offset)) offset += 1;
    recounter.add(partition, BigInt(offset), verdict);
    offset += 1;
  }
}

describe("RangeRecounter", () => {
  it("passes records that each hold exactly their range's recount, markers in between being no records", () => {
    // Offsets 3 and 7 are transaction markers: the ranges span them without counting them.
    const recounter = new RangeRecounter(TOPIC, [
      record(0, 0, 4, { total: 3, invalid: 1 }),
      record(0, 5, 9, { total: 2, locales: { CA: 1, NY: 1 } }),
    ]);
    feed(recounter, 0, [valid(), notJson, valid(), valid(), valid("NY"), valid()], [3, 7]);
    const result = recounter.result();
    expect(result).toMatchObject({ checked: 2, mismatches: [] });
    expect(result.uncovered.lost.records).toBe(0);
    expect(rangeRecountAssertion(result)).toMatchObject({ pass: true, observed: "2 records equal" });
  });

  it("fails a record that skipped one record of its range, by key, range, instance and figure", () => {
    // The skip-one defect: the range claims offsets 0–4 but counted 4 of the 5 records in it.
    const recounter = new RangeRecounter(TOPIC, [record(2, 0, 4, { total: 4 }, "skipper-7")]);
    feed(recounter, 2, [valid(), valid(), valid(), valid(), valid()]);
    const result = recounter.result();
    expect(result.mismatches).toEqual([
      {
        key: "user-login:2:0-4",
        topic: TOPIC,
        partition: 2,
        from: "0",
        to: "4",
        instanceId: "skipper-7",
        inputRecords: 5,
        firstRecordOffset: "0",
        lastRecordOffset: "4",
        counted: 4,
        differences: [
          { figure: "total", expected: 5, observed: 4 },
          { figure: "by_device_type.iOS", expected: 5, observed: 4 },
          { figure: "by_locale.CA", expected: 5, observed: 4 },
          { figure: "by_app_version.2.3.0", expected: 5, observed: 4 },
        ],
      },
    ]);
    const assertion = rangeRecountAssertion(result);
    expect(assertion.pass).toBe(false);
    expect(assertion.name).toBe("each analytics record equals the recount of its source range");
    expect(assertion.observed).toBe("1 of 1 records differ");
    expect(assertion.detail).toBe(
      "user-login:2:0-4 (offsets 0–4 of user-login/2, aggregator skipper-7): range holds 5 input record(s) at 0–4, " +
        "record counted 4, so 1 record(s) of its range went uncounted; total recount 5, record 4, " +
        "by_device_type.iOS recount 5, record 4, by_locale.CA recount 5, record 4, by_app_version.2.3.0 recount 5, record 4",
    );
  });

  it("fails a record that counts what its range does not hold, and one whose labels are swapped", () => {
    const recounter = new RangeRecounter(TOPIC, [
      // Claims 3 logins in 10–12, where the input ends at offset 10.
      record(0, 10, 12, { total: 3 }),
      // Right total, wrong locale split: only a per-label comparison sees it.
      record(1, 0, 1, { total: 2, locales: { CA: 1, NY: 1 } }),
    ]);
    feed(
      recounter,
      0,
      Array.from({ length: 11 }, () => valid()),
    );
    feed(recounter, 1, [valid(), valid()]);
    const { mismatches } = recounter.result();
    expect(mismatches.map((m) => [m.key, m.inputRecords, m.counted])).toEqual([
      ["user-login:0:10-12", 1, 3],
      ["user-login:1:0-1", 2, 2],
    ]);
    expect(mismatches[1]?.differences).toEqual([
      { figure: "by_locale.CA", expected: 2, observed: 1 },
      { figure: "by_locale.NY", expected: 0, observed: 1 },
    ]);
    expect(rangeRecountAssertion(recounter.result()).detail).toContain(
      "so it counted 2 record(s) its range does not hold",
    );
  });

  it("checks every copy of a range and counts a record into each of two overlapping ranges", () => {
    const recounter = new RangeRecounter(TOPIC, [
      record(0, 0, 3, { total: 4 }),
      record(0, 0, 3, { total: 3 }, "agg-2"),
      record(0, 2, 5, { total: 4 }),
    ]);
    feed(
      recounter,
      0,
      Array.from({ length: 6 }, () => valid()),
    );
    const result = recounter.result();
    expect(result.checked).toBe(3);
    expect(result.mismatches.map((m) => `${m.key} ${m.instanceId}`)).toEqual(["user-login:0:0-3 agg-2"]);
  });

  it("finds its ranges again when a partition's offsets come out of order", () => {
    const recounter = new RangeRecounter(TOPIC, [
      record(0, 0, 1, { total: 2 }),
      record(0, 2, 3, { total: 2 }),
    ]);
    for (const offset of [2n, 3n, 0n, 1n]) recounter.add(0, offset, valid());
    expect(recounter.result().mismatches).toEqual([]);
  });

  it("lists at most ten mismatching records and says how many more", () => {
    const records = Array.from({ length: 12 }, (_, i) => record(0, i, i, { total: 0 }));
    const recounter = new RangeRecounter(TOPIC, records);
    feed(
      recounter,
      0,
      Array.from({ length: 12 }, () => valid()),
    );
    expect(rangeRecountAssertion(recounter.result()).detail).toMatch(/; and 2 more$/);
  });
});

describe("RangeRecounter: input no range covers", () => {
  it("is lost behind the committed offset and not yet aggregated at or after it, each as spans", () => {
    // Partition 0: 0–2 counted, 3–5 in no range, committed 8, then 6–7 counted, 8–9 in no range (late).
    // Partition 1: nothing counted and nothing committed: all late.
    const recounter = new RangeRecounter(
      TOPIC,
      [record(0, 0, 2, { total: 3 }), record(0, 6, 7, { total: 1, invalid: 1 })],
      new Map([
        [0, 8n],
        [1, -1n],
      ]),
    );
    feed(recounter, 0, [
      valid(),
      valid(),
      valid(),
      valid(),
      valid(),
      notJson,
      valid(),
      notJson,
      valid(),
      notJson,
    ]);
    feed(recounter, 1, [valid(), valid()]);
    expect(recounter.add(2, 0n, valid())).toBe("late");
    const { uncovered, mismatches } = recounter.result();
    expect(mismatches).toEqual([]);
    expect(uncovered.committedKnown).toBe(true);
    expect(uncovered.lost).toEqual({
      records: 3,
      spans: [{ topic: TOPIC, partition: 0, from: "3", to: "5", records: 3 }],
      unlistedSpans: 0,
    });
    expect(uncovered.notYetAggregated).toMatchObject({
      records: 5,
      spans: [
        { topic: TOPIC, partition: 0, from: "8", to: "9", records: 2 },
        { topic: TOPIC, partition: 1, from: "0", to: "1", records: 2 },
        { topic: TOPIC, partition: 2, from: "0", to: "0", records: 1 },
      ],
      committed: [
        { partition: 0, offset: "8" },
        { partition: 1, offset: null },
        { partition: 2, offset: null },
      ],
    });
    expect(uncovered.notYetAggregated.counts).toMatchObject({ total: 5, valid: 4, invalid: 1 });
  });

  it("splits one hole at the committed offset into a lost span and a late one, and says which each record is", () => {
    const recounter = new RangeRecounter(TOPIC, [record(0, 0, 0, { total: 1 })], new Map([[0, 3n]]));
    expect([0n, 1n, 2n, 3n, 4n].map((offset) => recounter.add(0, offset, valid()))).toEqual([
      "covered",
      "lost",
      "lost",
      "late",
      "late",
    ]);
    const { lost, notYetAggregated } = recounter.result().uncovered;
    expect(lost.spans.map((s) => `${s.from}–${s.to}`)).toEqual(["1–2"]);
    expect(notYetAggregated.spans.map((s) => `${s.from}–${s.to}`)).toEqual(["3–4"]);
  });

  it("counts every uncovered record lost when the committed offsets are unknown", () => {
    const recounter = new RangeRecounter(TOPIC, []);
    feed(recounter, 0, [valid(), valid()]);
    const { uncovered } = recounter.result();
    expect(uncovered.committedKnown).toBe(false);
    expect(uncovered.lost.records).toBe(2);
    expect(uncovered.notYetAggregated.records).toBe(0);
  });

  it("lists a bounded number of spans and counts the rest", () => {
    // Every other record is covered: each uncovered one is a span of its own.
    const records = Array.from({ length: MAX_SPANS + 5 }, (_, i) => record(0, 2 * i, 2 * i, { total: 1 }));
    const recounter = new RangeRecounter(TOPIC, records, new Map([[0, 1_000_000n]]));
    feed(
      recounter,
      0,
      Array.from({ length: 2 * (MAX_SPANS + 5) }, () => valid()),
    );
    const { lost } = recounter.result().uncovered;
    expect(lost.records).toBe(MAX_SPANS + 5);
    expect(lost.spans).toHaveLength(MAX_SPANS);
    expect(lost.unlistedSpans).toBe(5);
  });
});
