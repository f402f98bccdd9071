import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { sampleScenario } from "../testing/sample-scenario.ts";
import { applyOverrides, withRate } from "./overrides.ts";
import { validateScenario } from "./schema.ts";

const scenario = validateScenario(
  sampleScenario({
    durationMs: 60_000,
    topology: { partitions: 3, consumers: 1, brokers: 3, kraft: true },
    faults: [{ atMs: 30_000, action: "kill", target: "broker:2" }],
  }),
  "sample",
);

describe("applyOverrides", () => {
  it("keeps the scenario as it is when no flag is given", () => {
    expect(applyOverrides(scenario, {})).toEqual(scenario);
  });

  it("replaces each field a flag names", () => {
    const changed = applyOverrides(scenario, {
      rate: 250,
      durationMs: 45_000,
      partitions: 6,
      consumers: 2,
      kraft: false,
      seed: 99,
      malformed: 0,
      windowMs: 2_000,
    });
    expect(changed.load).toEqual({ kind: "constant", rate: 250 });
    expect(changed.durationMs).toBe(45_000);
    expect(changed.topology).toEqual({ partitions: 6, consumers: 2, brokers: 3, kraft: false });
    expect([changed.seed, changed.malformed, changed.windowMs]).toEqual([99, 0, 2_000]);
  });

  it("validates the result, so a shorter run that drops below a fault is an error", () => {
    expect(() => applyOverrides(scenario, { durationMs: 20_000 })).toThrow(UsageError);
    expect(() => applyOverrides(scenario, { durationMs: 20_000 })).toThrow(
      /faults\[0\]\.atMs: at 30s, but the load lasts 20s/,
    );
  });

  it("rejects a broker count the lab cannot start, and a fault on a broker that would not exist", () => {
    expect(() => applyOverrides(scenario, { brokersCount: 2 })).toThrow(/--brokers-count: expected 1 or 3/);
    expect(() => applyOverrides(scenario, { brokersCount: 1 })).toThrow(/there is no broker 2/);
  });

  it("names the flag behind a problem once, and a field of the scenario's own by its path", () => {
    let message = "";
    try {
      applyOverrides(scenario, { windowMs: 8_000, durationMs: 20_000 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'the command-line flags do not fit scenario "sample" (2 problems):',
        "  faults[0].atMs: at 30s, but the load lasts 20s",
        "  --window: 8s is longer than the drain timeout (drainTimeoutMs) of 5s: the last window could not commit before the drain gives up",
      ].join("\n"),
    );
  });
});

describe("withRate", () => {
  it("scales a ramp, steps and a spike so that their peak becomes the rate", () => {
    expect(withRate({ kind: "ramp", from: 100, to: 400 }, 800)).toEqual({ kind: "ramp", from: 200, to: 800 });
    expect(
      withRate(
        {
          kind: "step",
          steps: [
            { rate: 50, holdMs: 1_000 },
            { rate: 200, holdMs: 1_000 },
          ],
        },
        100,
      ),
    ).toEqual({
      kind: "step",
      steps: [
        { rate: 25, holdMs: 1_000 },
        { rate: 100, holdMs: 1_000 },
      ],
    });
    expect(withRate({ kind: "spike", base: 10, peak: 40, atMs: 5, forMs: 5 }, 20)).toEqual({
      kind: "spike",
      base: 5,
      peak: 20,
      atMs: 5,
      forMs: 5,
    });
  });

  it("starts a search at the rate and keeps its maximum", () => {
    const search = {
      kind: "search",
      startRate: 1_000,
      factor: 2,
      stepMs: 1,
      maxRate: 9_000,
      holdShare: 0.9,
      holdMs: 1,
    } as const;
    expect(withRate(search, 3_000)).toEqual({ ...search, startRate: 3_000 });
  });
});
