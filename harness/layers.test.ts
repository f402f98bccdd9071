/**
 * Folders depend one way. Each folder sits on a layer; a file may import its own folder and any folder of a
 * lower layer, never a folder of its own layer or above. Test files may import anything. The check reads
 * every import (static, `import type`, re-exports, `import()`) of every other .ts/.mjs/.js file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const SCANNED = ["harness", "pipeline", "scenarios", "infra"];

/**
 * Lowest first. Folders on one line are siblings and may not import each other. The picture of issue #17:
 * scenario data → infra → load, faults, observe → verify → result → reports, with core under all of them;
 * pipeline/ (the system under test) knows nothing of the harness; run orchestrates every layer below it.
 */
const LAYERS: readonly (readonly string[])[] = [
  // Helpers every layer shares (clock, errors, formatting, percentiles); the system under test.
  ["harness/core", "pipeline"],
  // Scenario types, schema and registry; then the scenarios themselves, plain data.
  ["harness/scenario"],
  ["scenarios"],
  // Configuration of the stack (Prometheus, Grafana, images); the stack's providers and the aggregator fleet.
  ["infra"],
  ["harness/infra"],
  // What a run does to the stack: load it, break it.
  ["harness/load", "harness/faults"],
  // What it sees: samples, lag, figures of what load and faults did.
  ["harness/observe"],
  // What it judges: exactness, thresholds, baseline.
  ["harness/verify"],
  // The one result object, built from all of the above.
  ["harness/result"],
  // Report writers, rendered from the result alone.
  ["harness/report"],
  // Orchestration of a run; the k6 script writer.
  ["harness/run", "harness/k6"],
  // Test support and the benchmark, then the command line on top.
  ["harness/testing", "harness/bench"],
  ["harness/cli"],
];

/** `harness/load/profile.ts` → `harness/load`; `pipeline/producer/main.ts` → `pipeline`. */
function folderOf(file: string): string {
  const [top, second] = file.split("/");
  return top === "harness" && second !== undefined && !second.includes(".")
    ? `${top}/${second}`
    : (top ?? file);
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

interface Import {
  file: string;
  imported: string;
}

/** "file → imported file (folder A may not import folder B)" for every import that does not go down. */
function upwardImports(imports: readonly Import[]): string[] {
  const problems: string[] = [];
  for (const { file, imported } of imports) {
    const from = folderOf(file);
    const to = folderOf(imported);
    if (from === to) continue;
    const [fromLayer, toLayer] = [layerOf(from), layerOf(to)];
    if (fromLayer < 0 || toLayer < 0) {
      problems.push(`${file} → ${imported} (${fromLayer < 0 ? from : to} is on no layer: add it to LAYERS)`);
    } else if (toLayer >= fromLayer) {
      const why = toLayer === fromLayer ? "a sibling on its layer" : "a layer above it";
      problems.push(`${file} → ${imported} (${from} may not import ${to}: ${why})`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every relative import of the tree's non-test source files, as repository paths. */
function treeImports(): Import[] {
  return SCANNED.flatMap(sourceFiles).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => ({ file, imported: relative(ROOT, normalize(join(ROOT, dirname(file), spec))) })),
  );
}

describe("folder layers", () => {
  it("no file imports a folder of its own layer or above", () => {
    const imports = treeImports();
    expect(imports.length).toBeGreaterThan(500);
    expect(upwardImports(imports)).toEqual([]);
  });

  it("names an upward import, a sibling import and a folder on no layer", () => {
    expect(
      upwardImports([
        { file: "harness/load/profile.ts", imported: "harness/load/curve.ts" },
        { file: "harness/verify/ledger.ts", imported: "harness/core/format.ts" },
        { file: "harness/load/driver-ledger.ts", imported: "harness/verify/ledger.ts" },
        { file: "harness/load/fleet.ts", imported: "harness/faults/faults.ts" },
        { file: "pipeline/producer/main.ts", imported: "harness/core/errors.ts" },
        { file: "harness/new/thing.ts", imported: "harness/core/clock.ts" },
      ]),
    ).toEqual([
      "harness/load/driver-ledger.ts → harness/verify/ledger.ts (harness/load may not import harness/verify: a layer above it)",
      "harness/load/fleet.ts → harness/faults/faults.ts (harness/load may not import harness/faults: a sibling on its layer)",
      "pipeline/producer/main.ts → harness/core/errors.ts (pipeline may not import harness/core: a sibling on its layer)",
      "harness/new/thing.ts → harness/core/clock.ts (harness/new is on no layer: add it to LAYERS)",
    ]);
  });
});
