import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { UsageError } from "../core/errors.ts";
import { validateScenario } from "./schema.ts";
import type { Scenario } from "./types.ts";

export const SCENARIO_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** Names of the scenarios in `dir`: every `<name>.ts` that is not a test. */
export async function listScenarios(dir = SCENARIO_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .map((file) => file.slice(0, -".ts".length))
    .sort();
}

/** Loads `<dir>/<name>.ts` (its default export) and validates it; its `name` must match the file name. */
export async function loadScenario(name: string, dir = SCENARIO_DIR): Promise<Scenario> {
  const known = await listScenarios(dir);
  if (!known.includes(name)) {
    const closest = closestName(name, known);
    throw new UsageError(
      `there is no scenario "${name}"${closest ? `; did you mean "${closest}"?` : ""}`,
      `known scenarios: ${known.join(", ")}`,
    );
  }
  const source = dir === SCENARIO_DIR ? join("scenarios", `${name}.ts`) : join(dir, `${name}.ts`);
  const file = join(dir, `${name}.ts`);
  const module: { default?: unknown } = await import(pathToFileURL(file).href).catch((error: unknown) => {
    throw loadFailure(error, file, source, dir !== SCENARIO_DIR);
  });
  if (module.default === undefined) {
    throw new UsageError(
      `${source} has no default export`,
      "end it with `export default defineScenario({ ... })`",
    );
  }
  const scenario = validateScenario(module.default, source);
  if (scenario.name !== name) {
    throw new UsageError(
      `${source} names itself "${scenario.name}"`,
      `rename it to "${name}" or rename the file`,
    );
  }
  return scenario;
}

/**
 * A scenario by name (from scenarios/) or by the path of a file of one's own (`./my-soak.ts`), which is
 * validated the same way.
 */
export async function resolveScenario(nameOrPath: string): Promise<Scenario> {
  if (!nameOrPath.endsWith(".ts") && !nameOrPath.includes("/")) return loadScenario(nameOrPath);
  const file = resolve(nameOrPath);
  if (!existsSync(file)) {
    throw new UsageError(
      `there is no scenario file ${file}`,
      "give a scenario name (see --list) or the path of a .ts file",
    );
  }
  return loadScenario(basename(file, ".ts"), dirname(file));
}

/** Every scenario with its one-line summary, for `--list`. */
export async function listScenarioSummaries(
  dir = SCENARIO_DIR,
): Promise<{ name: string; summary: string }[]> {
  const names = await listScenarios(dir);
  const scenarios = await Promise.all(names.map((name) => loadScenario(name, dir)));
  return scenarios.map(({ name, summary }) => ({ name, summary }));
}

/**
 * Why a scenario file would not load, for a person: a syntax error (tsx's esbuild reports it as
 * `file:line:column: ERROR: message`) with its line and a caret, or, for a file of the user's own, what it
 * threw. A built-in scenario that throws is our bug and stays an internal error.
 */
function loadFailure(error: unknown, file: string, source: string, ownFile: boolean): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const syntax = /^(.*?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (syntax) {
    const line = Number(syntax[2]);
    const column = Number(syntax[3]) + 1; // esbuild counts columns from 0, editors from 1
    const text = readFileSync(file, "utf8").split("\n")[line - 1] ?? "";
    return new UsageError(
      `${source}:${line}:${column}: syntax error: ${syntax[4]}\n    ${text}\n    ${" ".repeat(column - 1)}^`,
      `correct line ${line} of ${source}`,
    );
  }
  if (ownFile)
    return new UsageError(
      `${source} failed to load: ${message}`,
      `correct ${source}; it must export a scenario`,
    );
  return error;
}

/** The known name within a few typos of `name`, if one is. */
function closestName(name: string, known: string[]): string | undefined {
  const scored = known.map((candidate) => ({ candidate, distance: editDistance(name, candidate) }));
  scored.sort((a, b) => a.distance - b.distance);
  const best = scored[0];
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
