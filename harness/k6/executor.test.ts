import { describe, expect, it } from "vitest";
import { k6Executor } from "./executor.ts";

describe("k6Executor: the scenario's profile as k6 open-model executors", () => {
  it("constant → constant-arrival-rate over the duration, one event an iteration", () => {
    expect(k6Executor({ kind: "constant", rate: 200 }, 20_000, "smoke")).toEqual({
      executor: "constant-arrival-rate",
      rate: 200,
      timeUnit: "1s",
      duration: "20s",
      eventsPerIteration: 1,
      preAllocatedVUs: 10,
      maxVUs: 40,
    });
  });

  it("ramp → ramping-arrival-rate from its start rate to its end rate over the duration", () => {
    const e = k6Executor({ kind: "ramp", from: 100, to: 900 }, 60_000, "ramp");
    expect(e).toMatchObject({ executor: "ramping-arrival-rate", startRate: 100, timeUnit: "1s" });
    expect(e.executor === "ramping-arrival-rate" && e.stages).toEqual([{ target: 900, duration: "60s" }]);
  });

  it("step → a 0 s jump to each step's rate and a stage holding it; the last step holds to the end", () => {
    const e = k6Executor(
      {
        kind: "step",
        steps: [
          { rate: 100, holdMs: 10_000 },
          { rate: 300, holdMs: 5_000 },
        ],
      },
      30_000,
      "steps",
    );
    expect(e.executor === "ramping-arrival-rate" && e.stages).toEqual([
      { target: 100, duration: "10s" },
      { target: 300, duration: "0s" },
      { target: 300, duration: "20s" },
    ]);
  });

  it("spike → base, a jump to the peak held for its length, a jump back to base until the end", () => {
    const e = k6Executor(
      { kind: "spike", base: 1_000, peak: 10_000, atMs: 30_000, forMs: 30_000 },
      120_000,
      "spike",
    );
    expect(e).toMatchObject({ startRate: 1_000, eventsPerIteration: 10, timeUnit: "10s" });
    expect(e.executor === "ramping-arrival-rate" && e.stages).toEqual([
      { target: 1_000, duration: "30s" },
      { target: 10_000, duration: "0s" },
      { target: 10_000, duration: "30s" },
      { target: 1_000, duration: "0s" },
      { target: 1_000, duration: "60s" },
    ]);
  });

  it("cuts a profile at the duration, as the lab's driver does", () => {
    const e = k6Executor(
      { kind: "spike", base: 100, peak: 500, atMs: 10_000, forMs: 30_000 },
      20_000,
      "short",
    );
    expect(e.executor === "ramping-arrival-rate" && e.stages).toEqual([
      { target: 100, duration: "10s" },
      { target: 500, duration: "0s" },
      { target: 500, duration: "10s" },
    ]);
  });

  it("refuses a max-rate search, saying why", () => {
    expect(() =>
      k6Executor(
        {
          kind: "search",
          startRate: 2_000,
          factor: 1.5,
          stepMs: 10_000,
          maxRate: 1e6,
          holdMs: 60_000,
          holdShare: 0.9,
        },
        300_000,
        "high-load",
      ),
    ).toThrow(/high-load searches for the highest sustained rate.*a k6 script cannot follow that/);
  });
});
