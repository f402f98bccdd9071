import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { lagStatusChanges, throttleAssertions, throttleFigures } from "./throttle-figures.ts";
import type { LagStatus, Series } from "./types.ts";

/** One sample a second from t 0; lag in seconds is lag ÷ 100 (100 events/s). */
function series(lag: (number | null)[], status: LagStatus[]): Series {
  return {
    ...sampleResult().series,
    t: lag.map((_, i) => i),
    lagOffsets: lag,
    lagSeconds: lag.map((l) => (l === null ? null : l / 100)),
    lagStatus: status,
  };
}

const statuses = (spec: [LagStatus, number][]): LagStatus[] =>
  spec.flatMap(([status, n]) => Array.from({ length: n }, () => status));

describe("throttleFigures", () => {
  it("measures growth, peak, drain and when the status went WARN and back to OK", () => {
    // Throttled from 4 s to 10 s: the lag grows by 200 a second, then drains to its level before by 13 s.
    const lag = [100, 0, 100, 0, 100, 300, 500, 700, 900, 1_100, 1_300, 800, 300, 100, 0, 100];
    const status = statuses([
      ["OK", 7],
      ["WARN", 3],
      ["STALL", 1],
      ["OK", 5],
    ]);
    const figures = throttleFigures(series(lag, status), 4, 10);
    expect(figures).toMatchObject({
      growthOffsetsPerS: 200,
      growthLagSecondsPerS: 2,
      peakLagOffsets: 1_300,
      peakLagSeconds: 13,
      levelBeforeOffsets: 100,
      drainMs: 3_000,
      warnAtS: 7,
      okAgainAtS: 11,
      gaps: [],
    });
    expect(figures.statusChanges).toEqual([
      { t: 0, from: null, to: "OK" },
      { t: 7, from: "OK", to: "WARN" },
      { t: 10, from: "WARN", to: "STALL" },
      { t: 11, from: "STALL", to: "OK" },
    ]);
    expect(throttleAssertions(figures, 5_000).every((a) => a.pass)).toBe(true);
    expect(throttleAssertions(figures, 2_000).map((a) => a.pass)).toEqual([true, true, false]);
  });

  it("fails when the throttle did nothing: the lag never grew and the status stayed OK", () => {
    const lag = [100, 0, 100, 0, 100, 0, 100, 0, 100, 0, 100, 0];
    const figures = throttleFigures(series(lag, statuses([["OK", 12]])), 4, 10);
    expect(figures.growthOffsetsPerS).toBe(0);
    expect(figures.warnAtS).toBeNull();
    expect(figures.gaps).toContainEqual({
      figure: "status",
      reason: "the lag status was never WARN or worse during the throttle (OK 7 s)",
    });
    const [warn, ok] = throttleAssertions(figures, 5_000);
    expect(warn).toMatchObject({ pass: false, observed: "never" });
    expect(ok?.pass).toBe(false);
  });

  it("fails when the lag never drains and the status never comes back to OK", () => {
    const lag = [100, 0, 100, 0, 100, 300, 500, 700, 900, 1_100, 1_300, 1_400, 1_500];
    const figures = throttleFigures(
      series(
        lag,
        statuses([
          ["OK", 7],
          ["WARN", 6],
        ]),
      ),
      4,
      10,
    );
    expect(figures.drainMs).toBeNull();
    expect(figures.okAgainAtS).toBeNull();
    expect(figures.gaps.map((g) => g.reason)).toEqual([
      "the lag never came back to 100 offsets after the release (1500 at 12 s, the last sample)",
      "the lag status never came back to OK (WARN at 12 s, the last sample)",
    ]);
    const [warn, ok, drain] = throttleAssertions(figures, 60_000);
    expect([warn?.pass, ok?.pass, drain?.pass]).toEqual([true, false, false]);
    expect(ok?.detail).toBe(
      "the lag status never came back to OK (WARN at 12 s, the last sample); lag status over the run: 0 s OK → 7 s WARN",
    );
    expect(drain?.detail).toBe(
      "the lag never came back to 100 offsets after the release (1500 at 12 s, the last sample)",
    );
  });

  it("says which figures the series lacks samples for, instead of giving numbers", () => {
    const lag = [null, null, null, null, null, 300, null, null, null, null, null, null];
    const status = statuses([
      ["UNKNOWN", 5],
      ["OK", 1],
      ["UNKNOWN", 6],
    ]);
    const figures = throttleFigures(series(lag, status), 4, 10);
    expect(figures).toMatchObject({
      growthOffsetsPerS: null,
      levelBeforeOffsets: null,
      drainMs: null,
      warnAtS: null,
    });
    expect(figures.gaps.map((g) => g.reason)).toEqual([
      "the lag was measured in 1 of the throttle's 6 seconds",
      "too few lag samples during the throttle for a growth rate",
      "no lag was measured in the 10 s before the throttle: no level to drain back to",
      "the lag status was never WARN or worse during the throttle (UNKNOWN 6 s, OK 1 s)",
    ]);
  });
});

describe("lagStatusChanges", () => {
  it("lists each change once, with the second it happened", () => {
    const s = series([0, 0, 0, 0], ["UNKNOWN", "OK", "OK", "WARN"]);
    expect(lagStatusChanges(s)).toEqual([
      { t: 0, from: null, to: "UNKNOWN" },
      { t: 1, from: "UNKNOWN", to: "OK" },
      { t: 3, from: "OK", to: "WARN" },
    ]);
  });
});
