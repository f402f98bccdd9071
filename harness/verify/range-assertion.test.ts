import { describe, expect, it } from "vitest";
import type { AnalyticsSummary } from "./analytics-ranges.ts";
import { rangeAssertion } from "./range-assertion.ts";

function summary(overrides: Partial<AnalyticsSummary> = {}): AnalyticsSummary {
  return {
    total: 20,
    byDeviceType: new Map([["iOS", 20]]),
    byLocale: new Map([["CA", 20]]),
    byAppVersion: new Map([["2.3.0", 20]]),
    invalid: 0,
    invalidByReason: new Map(),
    records: 2,
    duplicates: [],
    duplicateCopies: 0,
    gaps: [],
    overlaps: [],
    missingCoverage: [],
    ...overrides,
  };
}

describe("rangeAssertion", () => {
  it("passes ranges that tile the input once", () => {
    expect(rangeAssertion(summary(), [])).toMatchObject({
      pass: true,
      observed: "none",
      observedValue: { duplicates: [], gaps: [], overlaps: [], missing: [], unreadable: [] },
    });
  });

  it("fails an identical copy of a published range, naming its partition and offsets", () => {
    const duplicate = {
      topic: "user-login",
      partition: 0,
      from: "100",
      to: "199",
      copies: 2,
      sameCounts: true,
    };
    const assertion = rangeAssertion(summary({ duplicates: [duplicate] }), []);
    expect(assertion.pass).toBe(false);
    expect(assertion.detail).toBe("offsets 100–199 of user-login/0 published 2 times");
    expect(assertion.observedValue).toMatchObject({ duplicates: [duplicate] });
  });

  it("lists gaps, overlaps, missing stretches and unreadable records each by name", () => {
    const assertion = rangeAssertion(
      summary({
        duplicates: [{ topic: "in", partition: 1, from: "0", to: "9", copies: 3, sameCounts: false }],
        gaps: [{ topic: "in", partition: 0, after: "9", before: "12" }],
        overlaps: [
          { topic: "in", partition: 2, first: { from: "0", to: "9" }, second: { from: "5", to: "14" } },
        ],
        missingCoverage: [{ topic: "in", partition: 3, from: "0", to: "4" }],
      }),
      ["out/0@7: Analytics record is empty"],
    );
    expect(assertion.observed).toBe("5 problem(s)");
    expect(assertion.detail?.split("; ")).toEqual([
      "offsets 0–9 of in/1 published 3 times with different counts",
      "gap in in/0 between 9 and 12",
      "overlap in in/2: 0–9 and 5–14",
      "offsets 0–4 of in/3 never aggregated",
      "out/0@7: Analytics record is empty",
    ]);
  });
});

describe("rangeAssertion with the group's committed offsets", () => {
  const gap = { topic: "user-login", partition: 0, after: "99", before: "300" };
  const missing = { topic: "user-login", partition: 1, from: "500", to: "599" };

  it("keeps only the offsets behind the committed offset as gaps and never-aggregated offsets", () => {
    const assertion = rangeAssertion(
      summary({ gaps: [gap], missingCoverage: [missing] }),
      [],
      new Map([
        [0, 150n],
        [1, 550n],
      ]),
    );
    expect(assertion.pass).toBe(false);
    expect(assertion.detail).toBe(
      "gap in user-login/0 between 99 and 150; offsets 500–549 of user-login/1 never aggregated",
    );
  });

  it("leaves offsets at or after the committed offset (or with none committed) to 'events not yet aggregated'", () => {
    const assertion = rangeAssertion(
      summary({ gaps: [gap], missingCoverage: [missing] }),
      [],
      new Map([[0, 100n]]),
    );
    expect(assertion).toMatchObject({ pass: true, observed: "none" });
  });
});
