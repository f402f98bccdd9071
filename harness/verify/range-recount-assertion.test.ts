import { describe, expect, it } from "vitest";
import type { UncoveredRecords } from "./range-recount.ts";
import { notYetAggregatedAssertion } from "./range-recount-assertion.ts";

const empty = { total: 0, valid: 0, invalid: 0 } as const;
const noLabels = {
  byDeviceType: new Map(),
  byLocale: new Map(),
  byAppVersion: new Map(),
  invalidByReason: new Map(),
};

function uncovered(overrides: {
  committedKnown?: boolean;
  lost?: number;
  late?: { partition: number; from: string; to: string; records: number }[];
}): UncoveredRecords {
  const late = overrides.late ?? [];
  const records = late.reduce((n, s) => n + s.records, 0);
  return {
    committedKnown: overrides.committedKnown ?? true,
    lost: { records: overrides.lost ?? 0, spans: [], unlistedSpans: 0 },
    notYetAggregated: {
      records,
      spans: late.map((s) => ({ topic: "user-login", ...s })),
      unlistedSpans: 0,
      committed: late.map((s) => ({ partition: s.partition, offset: s.from })),
      counts: { ...empty, total: records, valid: records, ...noLabels },
    },
  };
}

describe("notYetAggregatedAssertion", () => {
  it("says nothing when every event was reached", () => {
    expect(notYetAggregatedAssertion(uncovered({}))).toBeUndefined();
  });

  it("fails events past the committed offsets under its own name, as lag with partitions and offsets", () => {
    const assertion = notYetAggregatedAssertion(
      uncovered({ late: [{ partition: 3, from: "4000", to: "6470", records: 2471 }] }),
    );
    expect(assertion).toMatchObject({
      name: "events not yet aggregated",
      pass: false,
      observedValue: 2471,
      observed: "2,471",
    });
    expect(assertion?.detail).toBe(
      "at or after the group's committed offset when the run ended (lag, not loss: the aggregators had not reached them): " +
        "user-login/3 offsets 4000–6470 (2,471); committed offsets 3: 4000",
    );
  });

  it("says it could not tell lag from loss when the committed offsets were not read", () => {
    expect(notYetAggregatedAssertion(uncovered({ committedKnown: false }))).toBeUndefined();
    expect(
      notYetAggregatedAssertion(uncovered({ committedKnown: false, lost: 5 }), "group g did not answer"),
    ).toMatchObject({
      pass: false,
      observed: "not measured",
      observedValue: null,
      detail:
        "group g did not answer, so uncovered events cannot be told apart as lost or not yet aggregated; all are counted lost",
    });
  });
});
