import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { listScenarioSummaries, listScenarios, loadScenario } from "./registry.ts";

let dir: string;

function scenarioFile(name: string, extra = ""): string {
  return `export default {
    name: ${JSON.stringify(name)}, description: "d", summary: "summary of ${name}", proves: "p",
    load: { kind: "constant", rate: 10 }, durationMs: 1000, drainTimeoutMs: 1000,
    topology: { partitions: 1, consumers: 1, brokers: 1, kraft: true },
    windowMs: 1000, malformed: 0, seed: 1, thresholds: {} ${extra}
  };\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scenarios-"));
  await writeFile(join(dir, "steady.ts"), scenarioFile("steady"));
  await writeFile(join(dir, "burst.ts"), scenarioFile("burst"));
  await writeFile(join(dir, "misnamed.ts"), scenarioFile("other"));
  await writeFile(join(dir, "broken.ts"), scenarioFile("broken", ", colour: 'red'"));
  await writeFile(join(dir, "steady.test.ts"), "");
  await writeFile(join(dir, "notes.md"), "");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("listScenarios", () => {
  it("lists scenario files by name, sorted, leaving out tests and other files", async () => {
    expect(await listScenarios(dir)).toEqual(["broken", "burst", "misnamed", "steady"]);
  });
});

describe("loadScenario", () => {
  it("loads and validates the default export", async () => {
    const scenario = await loadScenario("steady", dir);
    expect(scenario).toMatchObject({ name: "steady", faults: [], thresholds: { exact: true } });
  });

  it("suggests the closest name and lists the known ones for an unknown name", async () => {
    const error = await loadScenario("stedy", dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('there is no scenario "stedy"; did you mean "steady"?');
    expect((error as UsageError).hint).toBe("known scenarios: broken, burst, misnamed, steady");
  });

  it("suggests nothing when no name is close", async () => {
    await expect(loadScenario("failover", dir)).rejects.toThrow(/^there is no scenario "failover"$/);
  });

  it("rejects a file whose scenario has another name", async () => {
    await expect(loadScenario("misnamed", dir)).rejects.toThrow(
      `${join(dir, "misnamed.ts")} names itself "other"`,
    );
  });

  it("reports validation problems against the file", async () => {
    await expect(loadScenario("broken", dir)).rejects.toThrow(
      `${join(dir, "broken.ts")}: colour: unknown key`,
    );
  });
});

describe("listScenarioSummaries", () => {
  it("gives each valid scenario's summary and fails on an invalid one", async () => {
    await expect(listScenarioSummaries(dir)).rejects.toThrow(UsageError);
    await rm(join(dir, "broken.ts"));
    await rm(join(dir, "misnamed.ts"));
    expect(await listScenarioSummaries(dir)).toEqual([
      { name: "burst", summary: "summary of burst" },
      { name: "steady", summary: "summary of steady" },
    ]);
  });
});
