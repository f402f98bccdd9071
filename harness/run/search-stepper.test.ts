import { describe, expect, it } from "vitest";
import { RateSearch } from "../load/rate-search.ts";
import type { Snapshot } from "../observe/sample.ts";
import type { Scenario, SearchLoad } from "../scenario/types.ts";
import { SearchStepper } from "./search-stepper.ts";

const load: SearchLoad = {
  kind: "search",
  startRate: 1_000,
  factor: 2,
  stepMs: 4_000,
  maxRate: 64_000,
  holdShare: 0.9,
  holdMs: 10_000,
};

/** One second of a pipeline whose aggregator keeps up to `capacity` events/s, using a core above it. */
function second(elapsedMs: number, target: number, capacity: number, lag: number): Snapshot {
  const over = target > capacity;
  return {
    elapsedMs,
    targetRate: target,
    achievedRate: target,
    aggregatedRate: Math.min(target, capacity),
    lagOffsets: lag,
    lagSeconds: null,
    lagStatus: "OK",
    latencyP99Ms: 0,
    latencyP99RunMs: 0,
    sendDelayP99Ms: 2,
    partitions: [],
    cpuCores: { lab: 0.2, "consumer-0": over ? 0.98 : 0.3, "broker-1": 0.2 },
    driverThreadBusy: 0.3,
  };
}

/** A search whose first step, 4,000/s for 4 s, failed on its send delay; the stepper's log lines kept. */
/** A search of `load` with `patch` applied, and a stepper driving it that logs into `lines`. */
function searchOf(patch: Partial<typeof load> = {}, lines: string[] = []) {
  const search = new RateSearch({ ...load, ...patch }, 120_000);
  const stepper = new SearchStepper(
    search,
    { load } as Scenario,
    () => {},
    (line) => lines.push(line),
  );
  return { search, stepper };
}

function afterAFailingFirstStep() {
  const lines: string[] = [];
  const { search, stepper } = searchOf({ startRate: 4_000 }, lines);
  for (let s = 1; s <= 4; s++)
    stepper.afterTick({ ...second(s * 1_000, 4_000, 3_000, 0), sendDelayP99Ms: 3_000 });
  return { search, stepper, lines };
}

describe("SearchStepper", () => {
  it("says what set the limit from the CPU of the lowest step that failed", () => {
    const { search, stepper } = searchOf();
    let lag = 0;
    for (let s = 1; s <= 60 && ["searching", "recovering"].includes(search.current().phase); s++) {
      const state = search.current();
      const target = state.phase === "searching" ? state.ratePerSec : 0;
      lag = Math.max(0, lag + target - 3_000);
      stepper.afterTick(second(s * 1_000, target, 3_000, lag));
    }
    expect(search.current().phase).toBe("holding");
    expect(stepper.limiter()).toEqual({
      by: "aggregators",
      evidence: expect.stringContaining("consumer-0 used 0.98 cores"),
    });
  });

  it("after a failing step, says when at rate 0 nothing was acknowledged and the lag was within a second of the next rate", () => {
    const { search, stepper, lines } = afterAFailingFirstStep();
    expect(search.current()).toMatchObject({
      phase: "recovering",
      untilMs: 8_000,
      next: { ratePerSec: 2_000 },
    });
    expect(lines.at(-1)).toMatch(
      /→ rate 0 for 4 s so that the driver and the aggregators catch up, then 2000\/s$/,
    );
    // Still sending the backlog, then done sending with the aggregators behind, then caught up.
    stepper.afterTick({ ...second(5_000, 0, 3_000, 900), achievedRate: 1_200 });
    stepper.afterTick(second(6_000, 0, 3_000, 2_500));
    stepper.afterTick(second(7_000, 0, 3_000, 2_000));
    expect(search.current().phase).toBe("recovering");
    stepper.afterTick(second(8_000, 0, 3_000, 0));
    expect(search.current()).toMatchObject({ phase: "searching", ratePerSec: 2_000, stepStartedAtMs: 8_000 });
    const note = "then 4 s at rate 0; the driver and the aggregators had caught up after 3 s";
    expect(lines.at(-1)).toBe(`rate search: ${note}`);
    expect(search.lastStep()?.reason).toMatch(new RegExp(`; ${note}$`));
  });

  it("says what was still behind when a recovery ends before the pipeline caught up", () => {
    const { search, stepper } = afterAFailingFirstStep();
    for (let s = 5; s <= 8; s++)
      stepper.afterTick({ ...second(s * 1_000, 0, 3_000, 9_000), achievedRate: 700 });
    expect(search.current()).toMatchObject({ phase: "searching", stepStartedAtMs: 8_000 });
    expect(search.lastStep()?.reason).toMatch(
      /; then 4 s at rate 0, still behind at its end \(700\/s acknowledged in the last second, lag 9,000\)$/,
    );
  });

  it("names no limit when no step failed", () => {
    const { search, stepper } = searchOf({ maxRate: 1_000 });
    for (let s = 1; s <= 5; s++) stepper.afterTick(second(s * 1_000, 1_000, 3_000, 0));
    expect(search.current().phase).toBe("holding");
    expect(stepper.limiter()).toBeUndefined();
  });

  it("does not judge the first step by the seconds before the driver's first acknowledgement", () => {
    const { search, stepper } = searchOf({ maxRate: 2_000 });
    stepper.afterTick({ ...second(1_000, 1_000, 3_000, 0), achievedRate: 0 });
    stepper.afterTick({ ...second(2_000, 1_000, 3_000, 0), achievedRate: 0 });
    for (let s = 3; s <= 4; s++) stepper.afterTick(second(s * 1_000, 1_000, 3_000, 0));
    expect(search.lastStep()).toEqual({ ratePerSec: 1_000, sustained: true, reason: "sustained" });
  });
});
