import { describe, expect, it } from "vitest";
import { CountsBuilder } from "../load/ledger.ts";
import { Timeline } from "../observe/timeline.ts";
import { loadScenario } from "../scenario/registry.ts";
import { sampleResult } from "../testing/sample-result.ts";
import { summariseAnalytics } from "../verify/analytics-ranges.ts";
import { buildResult, type ScenarioCheckInput, withScenarioChecks } from "./build.ts";
import type { RunResult } from "./types.ts";

const passing = (): RunResult => {
  const result = sampleResult();
  return { ...result, verdict: "pass", assertions: result.assertions.map((a) => ({ ...a, pass: true })) };
};

const smoke = await loadScenario("smoke");

function input(overrides: Partial<ScenarioCheckInput> = {}): ScenarioCheckInput {
  return {
    scenario: smoke,
    timeline: new Timeline({ brokerMetrics: false }),
    summary: {
      sent: 10,
      acked: 10,
      failed: 0,
      unsent: 0,
      unknownOutcome: 0,
      maxSendDelayMs: 0,
      elapsedMs: 1_000,
      achievedPerSec: 10,
      client: "librdkafka",
    } as ScenarioCheckInput["summary"],
    producers: 1,
    loadMs: 1_000,
    ...overrides,
  };
}

describe("withScenarioChecks", () => {
  it("passes a run whose every check holds, recording the driver processes and the aggregator that ran", () => {
    const checked = withScenarioChecks(passing(), input({ producers: 2, aggregatorCommand: "./my-agg" }));
    expect(checked.assertions.filter((a) => !a.pass)).toEqual([]);
    expect(checked.assertions.map((a) => a.name)).toContain("faults applied as scheduled");
    expect(checked.verdict).toBe("pass");
    expect(checked.config).toMatchObject({ loadProcesses: 2, aggregatorCommand: "./my-agg" });
    expect(checked.lag.finalStatus).toBe("UNKNOWN");
  });

  it("fails a run whose fault could not be applied, naming the check", () => {
    const base = passing();
    const faults = [{ ...base.faults[0], error: "no broker 2" } as RunResult["faults"][number]];
    const checked = withScenarioChecks({ ...base, faults }, input());
    expect(checked.verdict).toBe("fail");
    expect(checked.assertions.filter((a) => !a.pass).map((a) => a.name)).toEqual([
      "faults applied as scheduled",
    ]);
  });

  it("calls a run ended by Ctrl-C interrupted, whatever its checks say", () => {
    const base = sampleResult({}, { failAssertion: true });
    expect(base.assertions.some((a) => !a.pass)).toBe(true);
    const checked = withScenarioChecks(base, input({ interruptedAtMs: 4_200 }));
    expect(checked.verdict).toBe("interrupted");
    expect(checked.interruptedAtMs).toBe(4_200);
  });
});

describe("buildResult", () => {
  it("calls the final lag status UNKNOWN, not OK, when no sample was ever taken", () => {
    const nothing = new CountsBuilder().build();
    const result = buildResult({
      scenario: smoke,
      provider: "local",
      startedAt: new Date(0),
      finishedAt: new Date(1_000),
      ledger: nothing,
      collected: {
        recount: nothing,
        invalidInputs: { topic: "user-login", byPartition: new Map() },
        analytics: summariseAnalytics([]),
        unreadableAnalytics: [],
        dlq: { total: 0, byReason: new Map(), letters: [] },
      },
      fetchCounters: undefined,
      timeline: new Timeline({ brokerMetrics: false }),
      summary: input().summary,
      loadMs: 1_000,
      drainMs: null,
      rateSearch: undefined,
      expectedTargetPerSec: 10,
      links: {},
    });
    expect(result.lag.finalStatus).toBe("UNKNOWN");
  });
});
