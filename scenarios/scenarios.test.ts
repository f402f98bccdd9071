import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario } from "../harness/scenario/registry.ts";

const names = await listScenarios();
const FAULT_SCENARIOS = [
  "consumer-crash",
  "consumer-freeze",
  "rebalance",
  "broker-bounce",
  "broker-pause",
  "broker-failure",
  "controller-failure",
  "poison-pill",
];

describe("scenarios/", () => {
  it("holds the scenarios the README promises", () => {
    expect(names).toEqual(expect.arrayContaining(["smoke", "baseline", "high-load", ...FAULT_SCENARIOS]));
  });

  it("are each listed in the README with the one line --list prints, and nothing else is", async () => {
    const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
    const list = /<!-- scenario-list:start -->\n([\s\S]*?)\n<!-- scenario-list:end -->/.exec(readme)?.[1];
    expect(list, "README.md has no scenario-list block").toBeDefined();
    const lines = await Promise.all(
      names.map(async (name) => `- \`${name}\`: ${(await loadScenario(name)).summary}`),
    );
    expect(list?.split("\n")).toEqual(lines);
  });

  it.each(FAULT_SCENARIOS)(
    "%s puts faults on its timeline, checks exactness and is sized for CI",
    async (name) => {
      const scenario = await loadScenario(name);
      expect(scenario.thresholds.exact).toBe(true);
      // A rolling restart lasts as long as each broker takes to be back in sync: 32–71 s each, measured.
      expect(scenario.durationMs).toBeLessThanOrEqual(name === "broker-bounce" ? 150_000 : 45_000);
      if (name !== "poison-pill") expect(scenario.faults.length).toBeGreaterThan(0);
    },
  );

  it("crashes an aggregator at least 3 times, at moments drawn from the seed", async () => {
    const crash = await loadScenario("consumer-crash");
    const kills = crash.faults.filter((f) => f.action === "kill-consumer");
    expect(kills.length).toBeGreaterThanOrEqual(3);
    expect(kills.every((f) => (f.jitterMs ?? 0) > 0)).toBe(true);
  });

  it("bounces the brokers as a rolling restart that waits for every partition in sync", async () => {
    const bounce = await loadScenario("broker-bounce");
    expect(bounce.faults).toEqual([
      expect.objectContaining({ action: "rolling-restart", target: "broker:*" }),
    ]);
    expect(bounce.thresholds.urpZeroWithinMs).toBeGreaterThan(0);
  });

  it("kills the active KRaft controller and restarts the same broker", async () => {
    const scenario = await loadScenario("controller-failure");
    expect(scenario.topology.kraft).toBe(true);
    expect(scenario.faults.map((f) => [f.action, f.target])).toEqual([
      ["kill", "controller"],
      ["restart", "controller"],
    ]);
  });

  it.each(names)("%s validates and is named after its file", async (name) => {
    const scenario = await loadScenario(name);
    expect(scenario.name).toBe(name);
  });

  it("throttles the slow consumer for longer than the lag status's 30 s window, with load left after it", async () => {
    const slow = await loadScenario("slow-consumer");
    const [throttle] = slow.faults;
    expect(throttle).toMatchObject({ action: "throttle-consumer", target: "consumer:*" });
    expect(throttle?.forMs).toBeGreaterThan(30_000);
    expect(slow.durationMs - (throttle?.atMs ?? 0) - (throttle?.forMs ?? 0)).toBeGreaterThanOrEqual(15_000);
  });

  it("keeps smoke under a minute of load plus drain", async () => {
    const smoke = await loadScenario("smoke");
    expect(smoke.durationMs + (smoke.thresholds.drainWithinMs ?? smoke.drainTimeoutMs)).toBeLessThanOrEqual(
      60_000,
    );
  });
});
