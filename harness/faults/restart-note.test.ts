import { describe, expect, it } from "vitest";
import type { InfraFault } from "../infra/types.ts";
import { describeRestart, restartFigures } from "./restart-note.ts";

const STALE = "ERROR Error while creating ephemeral at /brokers/ids/3, node already exists";
const fault = (extra: Partial<InfraFault>): InfraFault => ({
  action: "restart",
  target: "broker:3",
  pid: 42,
  signal: "SIGTERM",
  at: 1,
  ...extra,
});

describe("describeRestart", () => {
  it("says how long the broker took to serve, and which launches died and why", () => {
    expect(describeRestart(fault({ startedAfterMs: 9_040, attempts: 1 }), 3)).toBe(
      "broker 3 served again 9.0 s after its restart",
    );
    expect(
      describeRestart(fault({ startedAfterMs: 24_310, attempts: 3, retriedAfter: [STALE, STALE] }), 3),
    ).toBe(
      `broker 3 served again 24.3 s after its restart, on launch 3 (launches 1–2 died at start-up: "${STALE}")`,
    );
    expect(
      describeRestart(fault({ startedAfterMs: 20_000, attempts: 2, retriedAfter: [STALE] }), 3),
    ).toContain("on launch 2 (launch 1 died at start-up");
  });

  it("says nothing for a stack that did not report the restart's figures", () => {
    expect(describeRestart(fault({}), 3)).toBeUndefined();
    expect(restartFigures(fault({}))).toEqual({});
    expect(restartFigures(fault({ startedAfterMs: 9_040.7, attempts: 2 }))).toEqual({
      startedAfterMs: 9_041,
      attempts: 2,
    });
  });
});
