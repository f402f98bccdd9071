import { describe, expect, it } from "vitest";
import { NEMESIS_LIMITS, nemesisSchedule } from "./nemesis.ts";
import { applyOverrides } from "./overrides.ts";
import { validateScenario } from "./schema.ts";
import type { FaultStep } from "./types.ts";

const TOPOLOGY = { brokers: 3, consumers: 2, partitions: 6 } as const;
const DURATION_MS = 90_000;
const SEEDS = Array.from({ length: 300 }, (_, i) => i);

const BROKER_DOWN = new Set(["kill", "stop", "pause"]);
const BROKER_UP = new Set(["restart", "resume"]);

/** The broker faults of a schedule as outages: from the fault that takes a broker away to the one that brings it back. */
function brokerOutages(steps: FaultStep[]) {
  const outages: { target: string; from: number; to: number; action: string }[] = [];
  const open = new Map<string, { from: number; action: string }>();
  for (const step of steps) {
    if (step.target.startsWith("consumer:") || step.action === "rolling-restart") continue;
    if (BROKER_DOWN.has(step.action)) open.set(step.target, { from: step.atMs, action: step.action });
    else if (BROKER_UP.has(step.action)) {
      const down = open.get(step.target);
      outages.push({
        target: step.target,
        from: down?.from ?? step.atMs,
        to: step.atMs,
        action: step.action,
      });
      open.delete(step.target);
    }
  }
  return { outages, stillDown: [...open.keys()] };
}

describe("nemesisSchedule", () => {
  it("draws the same schedule from the same seed, and different ones from different seeds", () => {
    const a = nemesisSchedule({}, 7, DURATION_MS, TOPOLOGY);
    expect(nemesisSchedule({}, 7, DURATION_MS, TOPOLOGY)).toEqual(a);
    const distinct = new Set(
      SEEDS.slice(0, 50).map((s) => JSON.stringify(nemesisSchedule({}, s, DURATION_MS, TOPOLOGY))),
    );
    expect(distinct.size).toBeGreaterThan(45);
  });

  it("draws every kind of fault and every kind of target over many seeds", () => {
    const all = SEEDS.flatMap((s) => nemesisSchedule({}, s, DURATION_MS, TOPOLOGY));
    const actions = new Set(all.map((f) => f.action));
    expect([...actions].sort()).toEqual(
      [
        "add-consumer",
        "kill",
        "kill-consumer",
        "pause",
        "remove-consumer",
        "restart",
        "restart-consumer",
        "resume",
        "resume-consumer",
        "rolling-restart",
        "stop",
        "stop-consumer",
      ].sort(),
    );
    const kinds = new Set(all.map((f) => f.target.replace(/:\d+$|\/\d+$/, "")));
    expect([...kinds].sort()).toEqual(
      [
        "broker",
        "broker:*",
        "consumer",
        "controller",
        "coordinator:group",
        "coordinator:transaction",
        "leader:user-login",
      ].sort(),
    );
    const rolling = all.filter((f) => f.action === "rolling-restart");
    expect(rolling.some((f) => f.waitInSync === false)).toBe(true);
    expect(rolling.some((f) => f.waitInSync === undefined)).toBe(true);
  });

  it.each(SEEDS)(
    "seed %i: one broker away at a time, each back within its bound and before the quiet end",
    (seed) => {
      const steps = nemesisSchedule({}, seed, DURATION_MS, TOPOLOGY);
      const { outages, stillDown } = brokerOutages(steps);
      expect(stillDown).toEqual([]);
      const endMs = DURATION_MS - 10_000;
      for (const [i, o] of outages.entries()) {
        expect(o.to).toBeLessThanOrEqual(endMs);
        const max = o.action === "resume" ? NEMESIS_LIMITS.PAUSE_MS.max : NEMESIS_LIMITS.DOWN_MS.max;
        expect(o.to - o.from).toBeLessThanOrEqual(max);
        const next = outages[i + 1];
        if (next)
          expect(next.from).toBeGreaterThanOrEqual(o.to + NEMESIS_LIMITS.BROKER_RECOVERY_MS.otherwise);
      }
      const rolling = steps.filter((f) => f.action === "rolling-restart");
      expect(rolling.length).toBeLessThanOrEqual(1);
      for (const r of rolling) {
        // The rolling restart comes after every other broker fault and has its budget before the quiet end.
        expect(outages.every((o) => o.to < r.atMs)).toBe(true);
        const budget =
          r.waitInSync === false
            ? NEMESIS_LIMITS.ROLLING_BUDGET_MS.noWait
            : NEMESIS_LIMITS.ROLLING_BUDGET_MS.waitInSync;
        expect(r.atMs + budget).toBeLessThanOrEqual(endMs);
      }
    },
  );

  it.each(SEEDS)(
    "seed %i: at least one aggregator always runs, and every one taken away comes back",
    (seed) => {
      const steps = nemesisSchedule({}, seed, DURATION_MS, TOPOLOGY).filter((f) =>
        f.target.startsWith("consumer:"),
      );
      const running = new Set([0, 1]);
      let nextIndex = 2;
      for (const step of steps) {
        const index = Number(step.target.slice("consumer:".length));
        if (step.action === "add-consumer") {
          expect(index).toBe(nextIndex);
          nextIndex += 1;
          running.add(index);
        } else if (["kill-consumer", "stop-consumer", "remove-consumer"].includes(step.action)) {
          expect(running.has(index)).toBe(true);
          running.delete(index);
        } else {
          expect(running.has(index)).toBe(false);
          running.add(index);
        }
        expect(running.size).toBeGreaterThanOrEqual(1);
        expect(step.atMs).toBeLessThanOrEqual(DURATION_MS - 10_000);
      }
      // Everyone the schedule started is running at the end, except added ones that were removed.
      expect([...running].filter((i) => i < 2).sort()).toEqual([0, 1]);
      expect([...running].filter((i) => i >= 2)).toEqual([]);
    },
  );

  it("never takes the only aggregator away, and brings no broker down on a single broker", () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const steps = nemesisSchedule({}, seed, DURATION_MS, { brokers: 1, consumers: 1, partitions: 2 });
      expect(steps.every((f) => f.action === "add-consumer" || f.action === "remove-consumer")).toBe(true);
    }
  });

  it("keeps its first fault after startMs and its last before the quiet end", () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const steps = nemesisSchedule({ startMs: 20_000, quietMs: 30_000 }, seed, DURATION_MS, TOPOLOGY);
      expect(steps.every((f) => f.atMs >= 20_000 && f.atMs <= DURATION_MS - 30_000)).toBe(true);
    }
  });
});

const chaosLike = {
  name: "sample",
  description: "A sample nemesis.",
  summary: "sample",
  proves: "that the nemesis expands",
  load: { kind: "constant", rate: 100 },
  durationMs: DURATION_MS,
  drainTimeoutMs: 60_000,
  topology: { partitions: 6, consumers: 2, brokers: 3 as const, kraft: false },
  windowMs: 5_000,
  malformed: 0.02,
  seed: 3,
  faults: { nemesis: {} },
  thresholds: {},
};

describe("a scenario with faults: { nemesis }", () => {
  it("expands into the schedule of its seed, and a --seed or --duration override draws it again", () => {
    const scenario = validateScenario(chaosLike, "sample");
    expect(scenario.nemesis).toEqual({});
    expect(scenario.faults).toEqual(nemesisSchedule({}, 3, DURATION_MS, chaosLike.topology));
    const reseeded = applyOverrides(scenario, { seed: 4 });
    expect(reseeded.faults).toEqual(nemesisSchedule({}, 4, DURATION_MS, chaosLike.topology));
    expect(applyOverrides(scenario, {})).toEqual(scenario);
    const shorter = applyOverrides(scenario, { durationMs: 40_000 });
    expect(shorter.faults).toEqual(nemesisSchedule({}, 3, 40_000, chaosLike.topology));
  });

  it("draws schedules the scenario rules accept, for every seed and for KRaft, 1 or 3 brokers", () => {
    for (const seed of SEEDS.slice(0, 100))
      for (const brokers of [1, 3] as const)
        expect(() =>
          validateScenario(
            { ...chaosLike, seed, topology: { ...chaosLike.topology, brokers, kraft: true } },
            "sample",
          ),
        ).not.toThrow();
  });

  it("refuses a duration that leaves the nemesis no room, and unknown nemesis keys", () => {
    expect(() => validateScenario({ ...chaosLike, durationMs: 12_000 }, "sample")).toThrow(
      /durationMs: 12s leaves the nemesis no room/,
    );
    expect(() => validateScenario({ ...chaosLike, faults: { nemesis: { rate: 3 } } }, "sample")).toThrow(
      /faults\.nemesis\.rate: unknown key/,
    );
  });
});
