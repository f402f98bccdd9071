import { describe, expect, it } from "vitest";
import { combineLag } from "./lag-probe.ts";

const start = new Map([
  [0, 0n],
  [1, 100n],
]);
const ends = {
  ok: true as const,
  value: [
    { partition: 0, high: "50" },
    { partition: 1, high: "180" },
  ],
};
const member = { clientId: "login-aggregator-10-ab12cd", host: "/127.0.0.1" };
const owners = { ok: true as const, value: new Map([[0, member]]) };

describe("combineLag", () => {
  it("is the high watermark minus the committed offset, or the run's start before any commit", () => {
    const committed = {
      ok: true as const,
      value: [
        { partition: 0, offset: "40" },
        { partition: 1, offset: "-1" },
      ],
    };
    expect(combineLag([1, 0], start, ends, committed, owners)).toEqual([
      { partition: 0, end: 50n, position: 40n, lag: 10, owned: true, owner: member },
      { partition: 1, end: 180n, position: 100n, lag: 80, owned: false },
    ]);
  });

  it("leaves lag unknown with the reason when the watermarks did not come, and never reads it as 0", () => {
    const committed = { ok: true as const, value: [{ partition: 0, offset: "40" }] };
    const lags = combineLag(
      [0, 1],
      start,
      { ok: false, reason: "the high watermarks: no answer within 800 ms" },
      committed,
      {
        ok: false,
        reason: "the group's members: no answer within 800 ms",
      },
    );
    expect(lags.map((l) => l.lag)).toEqual([null, null]);
    expect(lags[0]).toMatchObject({
      position: 40n,
      owned: undefined,
      unknown: "the high watermarks: no answer within 800 ms",
    });
  });

  it("keeps what it knows when only the committed offsets are missing", () => {
    const lags = combineLag(
      [0],
      start,
      ends,
      { ok: false, reason: "the group's committed offsets failed: x" },
      owners,
    );
    expect(lags).toEqual([
      {
        partition: 0,
        end: 50n,
        position: null,
        lag: null,
        owned: true,
        owner: member,
        unknown: "the group's committed offsets failed: x",
      },
    ]);
  });
});
