import { describe, expect, it } from "vitest";
import { GroupMembership } from "./group-membership.ts";

/** A member with a 5 s limit on the coordinator's silence that joined the group at `atMs`. */
function joinedAt(atMs: number): GroupMembership {
  const m = new GroupMembership(5_000);
  m.onJoin(atMs);
  return m;
}

describe("GroupMembership", () => {
  it("may not commit before it has joined", () => {
    expect(new GroupMembership(5_000).mayCommit(0)).toBe(false);
  });

  it("may commit while joined and heard from recently", () => {
    const m = joinedAt(1_000);
    expect(m.mayCommit(5_999)).toBe(true);
    m.onHeartbeat(5_000);
    expect(m.mayCommit(9_999)).toBe(true);
  });

  it("may not commit once the coordinator has been silent too long: a frozen member may have been evicted", () => {
    const m = joinedAt(1_000);
    expect(m.mayCommit(6_000)).toBe(false);
    m.onHeartbeat(20_000);
    expect(m.mayCommit(20_001)).toBe(true);
  });

  it("may not commit while rebalancing, nor after leaving", () => {
    const m = joinedAt(0);
    m.onRebalancing();
    m.onHeartbeat(1);
    expect(m.mayCommit(2)).toBe(false);
    m.onJoin(3);
    expect(m.mayCommit(4)).toBe(true);
    m.onLeave();
    expect(m.mayCommit(5)).toBe(false);
  });
});
