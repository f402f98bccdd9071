import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../infra/local/provision.ts";
import { loadScenario } from "../scenario/registry.ts";
import type { Scenario } from "../scenario/types.ts";
import { renderK6Script } from "./script.ts";

const K6_TYPES = join(REPO_ROOT, "node_modules/@types/k6");

/**
 * Type-checks a k6 script the way an editor with `@types/k6` would, strictly, with xk6-kafka's API from
 * xk6-kafka.d.ts: k6 itself cannot be installed here, so this is the check the script gets.
 */
function typeErrors(script: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "lab-k6-")), "login.ts");
  writeFileSync(file, script);
  const program = ts.createProgram([file, join(REPO_ROOT, "harness/k6/xk6-kafka.d.ts")], {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2020.d.ts"],
    types: [],
    typeRoots: [],
    // @types/k6 from the repository, wherever the script was written; its globals (__ENV, __VU) too.
    paths: { k6: [K6_TYPES], "k6/*": [`${K6_TYPES}/*`] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("renderK6Script", () => {
  it.each(["smoke", "baseline", "spike", "soak", "poison-pill"])(
    "writes a script for %s that type-checks against @types/k6 and xk6-kafka's API",
    async (name) => {
      const script = renderK6Script(await loadScenario(name));
      expect(typeErrors(script)).toEqual([]);
    },
    60_000,
  );

  it("a script that misuses the k6 or xk6-kafka API fails the same check", async () => {
    const script = renderK6Script(await loadScenario("smoke"))
      .replace('"constant-arrival-rate"', '"constant-arrival-rates"')
      .replace("writer.produce({ messages })", "writer.produce(messages)");
    const errors = typeErrors(script).join("\n");
    expect(errors).toMatch(/constant-arrival-rates/);
    expect(errors).toMatch(/produce|messages/);
  }, 60_000);

  it("reads the brokers from KAFKA_BROKERS and writes to user-login with acks from all replicas", async () => {
    const script = renderK6Script(await loadScenario("smoke"));
    expect(script).toContain('import { randomSeed } from "k6"');
    expect(script).toMatch(/SCHEMA_TYPE_STRING,\n\s+SchemaRegistry,\n\s+Writer,\n\} from "k6\/x\/kafka"/);
    expect(script).toContain('brokers: (__ENV.KAFKA_BROKERS ?? "localhost:9092").split(",")');
    expect(script).toContain('topic: __ENV.TOPIC ?? "user-login"');
    expect(script).toContain("requiredAcks: -1");
    expect(script).toContain('"executor": "constant-arrival-rate",\n      "rate": 200,');
  });

  it("refuses a scenario that searches for its rate", async () => {
    const highLoad: Scenario = await loadScenario("high-load");
    expect(() => renderK6Script(highLoad)).toThrow(/a k6 script cannot follow that/);
  });
});
