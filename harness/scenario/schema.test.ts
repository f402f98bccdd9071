import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { sampleScenario } from "../testing/sample-scenario.ts";
import { validateScenario } from "./schema.ts";

const valid = sampleScenario();

function problems(input: unknown): string[] {
  try {
    validateScenario(input, "scenarios/sample.ts");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
  }
  throw new Error("expected the scenario to be rejected");
}

describe("validateScenario", () => {
  it("sends every malformed kind unless told which, and names a kind it does not know", () => {
    expect(validateScenario(valid, "scenarios/sample.ts").malformedKinds).toContain("near_kafka_limit");
    const chosen = validateScenario({ ...valid, malformedKinds: ["not_json"] }, "scenarios/sample.ts");
    expect(chosen.malformedKinds).toEqual(["not_json"]);
    const [problem] = problems({ ...valid, malformedKinds: ["not_json", "gibberish"] });
    expect(problem).toMatch(/^scenarios\/sample\.ts: malformedKinds\[1\]: expected one of not_utf8, /);
  });

  it("fills in defaults for faults, exactness and the search hold share", () => {
    const scenario = validateScenario(
      {
        ...valid,
        load: { kind: "search", startRate: 10, factor: 2, stepMs: 1_000, maxRate: 100, holdMs: 2_000 },
      },
      "x",
    );
    expect(scenario.faults).toEqual([]);
    expect(scenario.thresholds.exact).toBe(true);
    expect(scenario.load).toMatchObject({ kind: "search", holdShare: 0.9 });
  });

  it("reports every problem at once, each with the source and its path", () => {
    const found = problems({
      ...valid,
      load: { kind: "constant", rate: -5 },
      seed: 1.5,
      topology: { partitions: 0, consumers: 1, brokers: 2, kraft: true },
      extra: true,
      thresholds: { exact: true, maxLagOfsets: 10 },
    });
    expect(found).toEqual([
      "scenarios/sample.ts: load.rate: expected a positive number",
      "scenarios/sample.ts: topology.partitions: expected a whole number above 0",
      "scenarios/sample.ts: topology.brokers: expected 1 or 3",
      "scenarios/sample.ts: seed: expected a whole number",
      "scenarios/sample.ts: thresholds.maxLagOfsets: unknown key",
      "scenarios/sample.ts: extra: unknown key",
    ]);
  });

  it("names a missing field and an unknown load kind", () => {
    const { seed: _seed, ...withoutSeed } = valid;
    expect(problems({ ...withoutSeed, load: { kind: "sine" } })).toEqual([
      "scenarios/sample.ts: load.kind: expected kind to be one of constant, ramp, step, spike, search",
      "scenarios/sample.ts: seed: expected a number, got nothing",
    ]);
  });

  it("rejects faults after the load ends, with the wrong target kind or a missing broker", () => {
    const found = problems({
      ...valid,
      faults: [
        { atMs: 10_000, action: "kill", target: "broker:1" },
        { atMs: 1_000, action: "kill-consumer", target: "broker:1" },
        { atMs: 1_000, action: "pause", target: "broker:2" },
        { atMs: 1_000, action: "restart-consumer", target: "consumer:1" },
      ],
    });
    expect(found).toEqual([
      "scenarios/sample.ts: faults[0].atMs: at 10s, but the load lasts 10s",
      'scenarios/sample.ts: faults[1].target: "kill-consumer" needs a consumer:<index> target',
      "scenarios/sample.ts: faults[2].target: there is no broker 2: broker ids run from 1 to 1",
      "scenarios/sample.ts: faults[3].target: there is no consumer 1: indexes run from 0 to 0",
    ]);
  });

  it("checks leader targets, added consumers' indexes and jittered times", () => {
    const found = problems({
      ...valid,
      faults: [
        { atMs: 1_000, action: "kill", target: "leader:user-login/9" },
        { atMs: 2_000, action: "add-consumer", target: "consumer:1" },
        { atMs: 3_000, action: "stop-consumer", target: "consumer:1" },
        { atMs: 4_000, action: "add-consumer", target: "consumer:5" },
        { atMs: 5_000, action: "kill-consumer", target: "consumer:0", jitterMs: 6_000 },
        { atMs: 1_000, action: "resume-consumer", target: "leader:user-login/0" },
      ],
    });
    expect(found).toEqual([
      "scenarios/sample.ts: faults[0].target: there is no partition 9 of user-login: it has 3",
      "scenarios/sample.ts: faults[3].target: the next consumer added gets index 2, not 5",
      "scenarios/sample.ts: faults[4].atMs: at 11s at the latest, but the load lasts 10s",
      'scenarios/sample.ts: faults[5].target: "resume-consumer" needs a consumer:<index> target',
    ]);
  });

  it("takes a throttle of one or every consumer, with its duty, period and span", () => {
    const scenario = validateScenario(
      {
        ...valid,
        faults: [
          { atMs: 1_000, action: "throttle-consumer", target: "consumer:*", dutyPercent: 70, forMs: 5_000 },
          {
            atMs: 6_000,
            action: "throttle-consumer",
            target: "consumer:0",
            dutyPercent: 50,
            periodMs: 500,
            forMs: 4_000,
          },
        ],
      },
      "scenarios/sample.ts",
    );
    expect(scenario.faults[0]).toMatchObject({ target: "consumer:*", dutyPercent: 70, forMs: 5_000 });
  });

  it("rejects a throttle without a duty or a span, one past the load, and throttle fields on other faults", () => {
    const found = problems({
      ...valid,
      faults: [
        { atMs: 1_000, action: "throttle-consumer", target: "consumer:0" },
        { atMs: 1_000, action: "throttle-consumer", target: "consumer:0", dutyPercent: 100, forMs: 1_000 },
        { atMs: 6_000, action: "throttle-consumer", target: "consumer:0", dutyPercent: 70, forMs: 5_000 },
        { atMs: 1_000, action: "kill-consumer", target: "consumer:*", forMs: 1_000 },
      ],
    });
    expect(found).toEqual([
      "scenarios/sample.ts: faults[1].dutyPercent: expected a percentage above 0, below 100",
      "scenarios/sample.ts: faults[0].dutyPercent: a throttle needs the share of each period its aggregators are stopped, e.g. 70",
      "scenarios/sample.ts: faults[0].forMs: a throttle needs how long it lasts, e.g. 20000",
      "scenarios/sample.ts: faults[2].forMs: the throttle would last until 11s, but the load lasts 10s: the lag could not drain under load after it",
      'scenarios/sample.ts: faults[3].forMs: only a throttle-consumer takes forMs, not "kill-consumer"',
      'scenarios/sample.ts: faults[3].target: "kill-consumer" needs a consumer:<index>; only a throttle takes consumer:*',
    ]);
  });

  it("takes broker:* only for a rolling restart, and an in-sync timeout only with it", () => {
    const found = problems({
      ...valid,
      faults: [
        { atMs: 1_000, action: "rolling-restart", target: "broker:*", inSyncTimeoutMs: 30_000 },
        { atMs: 1_000, action: "kill", target: "controller" },
        { atMs: 2_000, action: "rolling-restart", target: "broker:1" },
        { atMs: 3_000, action: "restart", target: "broker:*" },
        { atMs: 4_000, action: "restart", target: "broker:1", inSyncTimeoutMs: 30_000 },
      ],
    });
    expect(found).toEqual([
      'scenarios/sample.ts: faults[2].target: "rolling-restart" takes the target "broker:*"',
      'scenarios/sample.ts: faults[3].target: "broker:*" is only for "rolling-restart"',
      'scenarios/sample.ts: faults[4].inSyncTimeoutMs: only a "rolling-restart" waits for partitions to be in sync',
    ]);
  });

  it("paces a rolling restart by a gap only with waitInSync: false, and takes coordinator targets", () => {
    const paced = validateScenario(
      {
        ...valid,
        faults: [
          { atMs: 1_000, action: "rolling-restart", target: "broker:*", waitInSync: false, gapMs: 5_000 },
          { atMs: 2_000, action: "pause", target: "coordinator:group" },
          { atMs: 3_000, action: "resume", target: "coordinator:group" },
          { atMs: 4_000, action: "kill", target: "coordinator:transaction" },
        ],
      },
      "scenarios/sample.ts",
    );
    expect(paced.faults[0]).toMatchObject({ waitInSync: false, gapMs: 5_000 });
    const found = problems({
      ...valid,
      faults: [
        { atMs: 1_000, action: "rolling-restart", target: "broker:*", gapMs: 5_000 },
        {
          atMs: 1_000,
          action: "rolling-restart",
          target: "broker:*",
          waitInSync: false,
          inSyncTimeoutMs: 9_000,
        },
        { atMs: 2_000, action: "restart", target: "broker:1", waitInSync: false },
        { atMs: 3_000, action: "kill", target: "coordinator:offsets" },
        { atMs: 4_000, action: "kill-consumer", target: "coordinator:group" },
      ],
    });
    expect(found).toEqual([
      expect.stringMatching(/^scenarios\/sample\.ts: faults\[3\]\.target: expected "broker:<id>", /),
      "scenarios/sample.ts: faults[0].gapMs: a gap between brokers replaces the in-sync wait: add waitInSync: false",
      "scenarios/sample.ts: faults[1].inSyncTimeoutMs: with waitInSync: false the restart waits for no in-sync state",
      'scenarios/sample.ts: faults[2].waitInSync: only a "rolling-restart" takes waitInSync, not "restart"',
      'scenarios/sample.ts: faults[4].target: "kill-consumer" needs a consumer:<index> target',
    ]);
  });

  it("checks that a search fits its duration and that its start is below its maximum", () => {
    const found = problems({
      ...valid,
      load: { kind: "search", startRate: 500, factor: 1.5, stepMs: 6_000, maxRate: 100, holdMs: 6_000 },
    });
    expect(found).toEqual([
      "scenarios/sample.ts: load.maxRate: below startRate (500)",
      "scenarios/sample.ts: durationMs: a search needs at least one step and the hold: 12s",
    ]);
  });

  it("rejects a spike that starts after the load ends", () => {
    expect(
      problems({ ...valid, load: { kind: "spike", base: 10, peak: 100, atMs: 12_000, forMs: 1_000 } }),
    ).toEqual(["scenarios/sample.ts: load.atMs: at 12s, but the load lasts 10s"]);
  });

  it("rejects something that is not an object", () => {
    expect(problems(null)).toEqual(["scenarios/sample.ts: (the scenario): expected an object, got null"]);
  });
});
