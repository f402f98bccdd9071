import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { spikeAssertion, spikeFigures } from "./spike.ts";
import type { Series } from "./types.ts";

function series(lag: (number | null)[]): Series {
  const base = sampleResult().series;
  return {
    ...base,
    t: lag.map((_, i) => i),
    lagOffsets: lag,
    lagSeconds: lag.map((l) => (l === null ? null : l / 100)),
  };
}

describe("spikeFigures", () => {
  it("finds the peak and the time from the spike's end until the lag is back at its level before", () => {
    // Windows swing the lag between 0 and 300 before the spike (t 5–9); it peaks at 5,000 and is back by t 14.
    const lag = [0, 300, 0, 300, 0, 1_000, 3_000, 5_000, 4_000, 2_000, 1_200, 900, 600, 400, 250, 0];
    const figures = spikeFigures(series(lag), 5, 10);
    expect(figures).toMatchObject({
      peakLagOffsets: 5_000,
      peakLagSeconds: 50,
      levelBeforeOffsets: 300,
      drainMs: 4_000,
    });
    expect(spikeAssertion(figures, 5_000).pass).toBe(true);
    expect(spikeAssertion(figures, 3_000).pass).toBe(false);
  });

  it("says so when the lag never came back, and fails the assertion", () => {
    const figures = spikeFigures(series([0, 100, 5_000, 6_000, 7_000, null]), 2, 3);
    expect(figures.drainMs).toBeNull();
    expect(figures.reason).toBe("the lag never came back to 100 offsets after the spike");
    expect(spikeAssertion(figures, 60_000)).toMatchObject({ pass: false, observed: "never" });
  });
});
