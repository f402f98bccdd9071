import { readFile } from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "../core/errors.ts";
import { RESULT_SCHEMA_VERSION, type RunResult } from "../result/types.ts";

/** Top-level keys in the order of the RunResult type, so every report.json reads the same way. */
const KEY_ORDER: (keyof RunResult)[] = [
  "schemaVersion",
  "scenario",
  "config",
  "environment",
  "verdict",
  "ledger",
  "recount",
  "aggregates",
  "throughput",
  "latency",
  "lag",
  "series",
  "assertions",
  "faults",
  "rateSearch",
  "baseline",
  "links",
];

/**
 * Pretty JSON, except that arrays of plain values stay on one line: a minute of one-second series would
 * otherwise take a thousand lines.
 */
function stringify(value: unknown, indent: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(",\n")}\n${indent}}`;
}

export function renderJson(result: RunResult): string {
  // Keys the order does not know yet still go out, after the known ones, rather than being lost.
  const keys = [...new Set<string>([...KEY_ORDER, ...Object.keys(result)])];
  const source = result as unknown as Record<string, unknown>;
  const ordered = Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
  return `${stringify(ordered, "")}\n`;
}

const record = z.record(z.string(), z.number());
const counts = z.looseObject({
  total: z.number(),
  valid: z.number(),
  invalid: z.number(),
  byDeviceType: record,
});

/**
 * What a report must hold to be used as a baseline or rendered again: every top-level key, and the
 * figures a baseline comparison reads. Deeper fields are trusted, as the lab wrote them.
 */
const reportSchema = z.looseObject({
  scenario: z.looseObject({ name: z.string() }),
  config: z.looseObject({ seed: z.number() }),
  environment: z.looseObject({ startedAt: z.string() }),
  verdict: z.enum(["pass", "fail", "interrupted"]),
  ledger: counts,
  recount: counts,
  aggregates: z.looseObject({ total: z.number() }),
  throughput: z.looseObject({ achievedPerSec: z.number() }),
  latency: z.looseObject({ p99: z.number() }),
  lag: z.looseObject({ maxSeconds: z.number() }),
  series: z.looseObject({ t: z.array(z.number()) }),
  assertions: z.array(z.looseObject({ name: z.string(), pass: z.boolean() })),
  faults: z.array(z.looseObject({ atMs: z.number() })),
  links: z.looseObject({}),
});

const REMAKE =
  "point --baseline at a report.json written by this lab, or re-run the scenario to make a new one";

/** Reads a report.json back, for `--baseline FILE`. Every problem is a UsageError naming the file. */
export async function readReport(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new UsageError(`cannot read report ${path}: ${reason}`, REMAKE);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`report ${path} is not JSON: ${(error as Error).message}`, REMAKE);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(`report ${path} is not a JSON object`, REMAKE);
  }
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new UsageError(
      `report ${path} has schemaVersion ${JSON.stringify(version) ?? "missing"}; this lab reads version ${RESULT_SCHEMA_VERSION}`,
      REMAKE,
    );
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UsageError(`report ${path} is not a lab report:\n  ${problems.join("\n  ")}`, REMAKE);
  }
  return data as RunResult;
}
