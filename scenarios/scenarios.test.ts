import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario } from "../harness/scenario/registry.ts";

const names = await listScenarios();

describe("scenarios/", () => {
  it("holds the scenarios the README promises", () => {
    expect(names).toEqual(expect.arrayContaining(["smoke", "baseline", "high-load"]));
  });

  it.each(names)("%s validates and is named after its file", async (name) => {
    const scenario = await loadScenario(name);
    expect(scenario.name).toBe(name);
  });

  it("keeps smoke under a minute of load plus drain", async () => {
    const smoke = await loadScenario("smoke");
    expect(smoke.durationMs + (smoke.thresholds.drainWithinMs ?? smoke.drainTimeoutMs)).toBeLessThanOrEqual(
      60_000,
    );
  });
});
