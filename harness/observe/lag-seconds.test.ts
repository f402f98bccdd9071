import { describe, expect, it } from "vitest";
import { groupLagSeconds, lagSecondsOf } from "./lag-seconds.ts";

describe("lagSecondsOf", () => {
  it("is zero only when nothing waits", () => {
    expect(
      lagSecondsOf(10_000, { lagOffsets: 0, dueTimeMs: undefined, recordTimestampMs: { unknown: "x" } }),
    ).toEqual({ seconds: 0, source: "none waiting" });
  });

  it("is the age of the oldest unconsumed event by its due time", () => {
    expect(lagSecondsOf(10_000, { lagOffsets: 5, dueTimeMs: 7_500, recordTimestampMs: 9_000 })).toEqual({
      seconds: 2.5,
      source: "due time",
    });
  });

  it("falls back to the broker's record timestamp when the due time is unknown (sends of unknown outcome)", () => {
    // The case of the issue: 40,075 offsets behind and no due time for the committed offset read 0.0 s.
    const reading = lagSecondsOf(50_000, {
      lagOffsets: 40_075,
      dueTimeMs: undefined,
      recordTimestampMs: 20_000,
    });
    expect(reading).toEqual({ seconds: 30, source: "record timestamp" });
  });

  it("is a gap with a reason, never 0, when neither time is known", () => {
    const reading = lagSecondsOf(50_000, {
      lagOffsets: 40_075,
      dueTimeMs: undefined,
      recordTimestampMs: { unknown: "the fetch did not answer within 500ms" },
    });
    expect(reading.seconds).toBeNull();
    expect(reading).toMatchObject({ reason: expect.stringContaining("did not answer within 500ms") });
  });
});

describe("groupLagSeconds", () => {
  it("is the oldest partition's age", () => {
    expect(
      groupLagSeconds([
        { partition: 0, reading: { seconds: 1.5, source: "due time" } },
        { partition: 1, reading: { seconds: 4, source: "record timestamp" } },
      ]),
    ).toEqual({ seconds: 4 });
  });

  it("is unknown when one partition with a backlog is unknown, naming it", () => {
    const group = groupLagSeconds([
      { partition: 0, reading: { seconds: 9, source: "due time" } },
      { partition: 3, reading: { seconds: null, reason: "no timestamp" } },
    ]);
    expect(group).toEqual({ seconds: null, reason: "partition 3: no timestamp" });
  });
});
