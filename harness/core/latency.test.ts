import { describe, expect, it } from "vitest";
import { IntervalLatencyRecorder, LatencyRecorder } from "./latency.ts";

/** HDR histograms with 3 significant digits answer within 0.1 % of the true value. */
function expectNear(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 1e-9);
}

describe("LatencyRecorder", () => {
  it("gives zeros and a count of 0 when nothing was recorded", () => {
    expect(new LatencyRecorder().percentiles()).toEqual({
      count: 0,
      p50: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
    });
  });

  it("gives percentiles of 1..1000 ms within the histogram's 3 significant digits", () => {
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 1_000; ms++) recorder.record(ms);
    const p = recorder.percentiles();
    expect(p.count).toBe(1_000);
    expectNear(p.p50, 500);
    expectNear(p.p95, 950);
    expectNear(p.p99, 990);
    expectNear(p.p999, 999);
    expectNear(p.max, 1_000);
    expectNear(p.mean, 500.5);
  });

  it("keeps sub-millisecond values and counts negative ones as zero", () => {
    const recorder = new LatencyRecorder();
    recorder.record(0.25);
    recorder.record(-40);
    const p = recorder.percentiles();
    expectNear(p.max, 0.25);
    expect(p.p50).toBe(0);
  });

  it("forgets everything on reset", () => {
    const recorder = new LatencyRecorder();
    recorder.record(5);
    recorder.reset();
    expect(recorder.percentiles().count).toBe(0);
  });
});

describe("IntervalLatencyRecorder", () => {
  it("gives each interval its own percentiles while the cumulative ones cover the whole run", () => {
    const recorder = new IntervalLatencyRecorder();
    for (let i = 0; i < 100; i++) recorder.record(10);
    const first = recorder.rollInterval();
    for (let i = 0; i < 100; i++) recorder.record(2_000);
    const second = recorder.rollInterval();
    const third = recorder.rollInterval();

    expect(first.count).toBe(100);
    expectNear(first.p99, 10);
    expect(second.count).toBe(100);
    expectNear(second.p50, 2_000);
    expect(third.count).toBe(0);
    const total = recorder.cumulative();
    expect(total.count).toBe(200);
    expectNear(total.p50, 10);
    expectNear(total.p99, 2_000);
  });

  it("counts the open interval in the cumulative figures, and a phase from the roll it started after", () => {
    const recorder = new IntervalLatencyRecorder();
    for (let i = 0; i < 100; i++) recorder.record(10);
    recorder.rollInterval();
    expect(recorder.phase()).toBeUndefined();
    recorder.startPhase();
    for (let i = 0; i < 100; i++) recorder.record(500);
    expect(recorder.cumulative().count).toBe(200);
    expect(recorder.phase()?.count).toBe(100);
    recorder.rollInterval();
    for (let i = 0; i < 100; i++) recorder.record(900);
    const phase = recorder.phase();
    expect(phase?.count).toBe(200);
    expectNear(phase?.p50 ?? 0, 500);
    expectNear(phase?.max ?? 0, 900);
    expectNear(phase?.mean ?? 0, 700);
    expect(recorder.cumulative().count).toBe(300);
    expectNear(recorder.cumulative().p50 ?? 0, 500);
  });
});
