import { readFile } from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "../core/errors.ts";
import { type Counts, type LabelCounts, RESULT_SCHEMA_VERSION, type RunResult } from "../result/types.ts";

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
 * otherwise take a thousand lines. A Map (counts by label) is written as an object of its entries.
 */
function stringify(value: unknown, indent: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = (value instanceof Map ? [...value] : Object.entries(value)).filter(
    ([, v]) => v !== undefined && typeof v !== "function",
  );
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

// A hand check rather than z.record, which drops a "__proto__" key: labels are untrusted text.
const labelCounts = z.custom<Record<string, number>>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((n) => typeof n === "number"),
  "expected an object of counts",
);
const counts = z.looseObject({
  total: z.number(),
  valid: z.number(),
  invalid: z.number(),
  byDeviceType: labelCounts,
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
  latency: z.looseObject({ p99: z.number(), count: z.number() }),
  lag: z.looseObject({ maxSeconds: z.number().nullable() }),
  series: z.looseObject({ t: z.array(z.number()) }),
  assertions: z.array(z.looseObject({ name: z.string(), pass: z.boolean() })),
  faults: z.array(z.looseObject({ atMs: z.number() })),
  links: z.looseObject({}),
});

/** Versions whose figures a baseline comparison can read: version 1 lacks only assertion values. */
const READABLE_VERSIONS: readonly number[] = [1, RESULT_SCHEMA_VERSION];

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
  if (typeof version !== "number" || !READABLE_VERSIONS.includes(version)) {
    throw new UsageError(
      `report ${path} has schemaVersion ${JSON.stringify(version) ?? "missing"}; this lab reads versions ${READABLE_VERSIONS.join(" and ")}`,
      REMAKE,
    );
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UsageError(`report ${path} is not a lab report:\n  ${problems.join("\n  ")}`, REMAKE);
  }
  return withLabelMaps(data as RunResult);
}

const COUNT_FIELDS = ["byDeviceType", "byLocale", "byAppVersion", "invalidByReason"] as const;

/** The counts by label come back as the Maps a RunResult holds. */
function withLabelMaps(result: RunResult): RunResult {
  const revive = <T extends Partial<Counts>>(counts: T): T => {
    const copy: Record<string, unknown> = { ...counts };
    for (const field of COUNT_FIELDS) {
      const value = (counts as Record<string, unknown>)[field];
      if (value !== undefined)
        copy[field] = new Map(Object.entries(value as Record<string, number>)) satisfies LabelCounts;
    }
    return copy as T;
  };
  return {
    ...result,
    ledger: revive(result.ledger),
    recount: revive(result.recount),
    aggregates: revive(result.aggregates),
  };
}
