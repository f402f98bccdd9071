import { z } from "zod";
import { MALFORMED_KINDS } from "../../pipeline/events/generator.ts";
import { DEFAULT_TOPICS } from "../../pipeline/topics.ts";
import { formatDuration } from "../core/clock.ts";
import { UsageError } from "../core/errors.ts";
import { nemesisSchedule } from "./nemesis.ts";
import {
  BROKER_FAULT_ACTIONS,
  CONSUMER_FAULT_ACTIONS,
  type LoadProfile,
  type Scenario,
  type ScenarioInput,
} from "./types.ts";

const positive = () => z.number().positive({ error: "expected a positive number" });
const nonNegative = () => z.number().nonnegative({ error: "expected zero or a positive number" });
const positiveInt = () =>
  z.int({ error: "expected a whole number" }).positive({ error: "expected a whole number above 0" });
const durationMs = () =>
  z.int({ error: "expected whole milliseconds" }).positive({ error: "expected a duration above 0 ms" });
const share = () =>
  z
    .number()
    .min(0, { error: "expected a share from 0 to 1" })
    .max(1, { error: "expected a share from 0 to 1" });
const text = () => z.string().trim().min(1, { error: "expected a non-empty string" });

const loadSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("constant"), rate: positive() }),
    z.strictObject({ kind: z.literal("ramp"), from: nonNegative(), to: nonNegative() }),
    z.strictObject({
      kind: z.literal("step"),
      steps: z
        .array(z.strictObject({ rate: nonNegative(), holdMs: durationMs() }))
        .min(1, { error: "expected at least one step" }),
    }),
    z.strictObject({
      kind: z.literal("spike"),
      base: nonNegative(),
      peak: positive(),
      atMs: nonNegative(),
      forMs: durationMs(),
    }),
    z.strictObject({
      kind: z.literal("search"),
      startRate: positive(),
      factor: z.number().gt(1, { error: "expected a factor above 1" }),
      stepMs: durationMs(),
      maxRate: positive(),
      holdShare: z
        .number()
        .gt(0, { error: "expected a share above 0, at most 1" })
        .max(1, { error: "expected a share above 0, at most 1" })
        .default(0.9),
      holdMs: durationMs(),
    }),
  ],
  { error: "expected kind to be one of constant, ramp, step, spike, search" },
);

const faultSchema = z.strictObject({
  atMs: nonNegative(),
  action: z.enum([...BROKER_FAULT_ACTIONS, ...CONSUMER_FAULT_ACTIONS], {
    error: `expected one of ${[...BROKER_FAULT_ACTIONS, ...CONSUMER_FAULT_ACTIONS].join(", ")}`,
  }),
  target: z
    .string()
    .regex(
      /^(broker:\d+|broker:\*|controller|coordinator:(group|transaction)|consumer:(\d+|\*)|leader:[A-Za-z0-9._-]+\/\d+)$/,
      {
        error:
          'expected "broker:<id>", "broker:*", "controller", "coordinator:group", "coordinator:transaction", "leader:<topic>/<partition>", "consumer:<index>" or "consumer:*"',
      },
    ),
  jitterMs: durationMs().optional(),
  dutyPercent: z
    .number()
    .gt(0, { error: "expected a percentage above 0, below 100" })
    .lt(100, { error: "expected a percentage above 0, below 100" })
    .optional(),
  periodMs: durationMs().optional(),
  forMs: durationMs().optional(),
  inSyncTimeoutMs: durationMs().optional(),
  waitInSync: z.boolean().optional(),
  gapMs: durationMs().optional(),
});

const nemesisSchema = z.strictObject({
  nemesis: z.strictObject({ startMs: nonNegative().optional(), quietMs: nonNegative().optional() }),
});

const thresholdsSchema = z.strictObject({
  maxLagOffsets: nonNegative().optional(),
  maxLagSeconds: nonNegative().optional(),
  drainWithinMs: durationMs().optional(),
  minAchievedRateShare: share().optional(),
  minAchievedRate: positive().optional(),
  maxP99LatencyMs: positive().optional(),
  maxMemoryGrowthMBPerHour: positive().optional(),
  urpZeroWithinMs: durationMs().optional(),
  exact: z.boolean().default(true),
});

const shape = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected lower-case letters, digits and dashes" }),
  description: text(),
  summary: text(),
  proves: text(),
  load: loadSchema,
  durationMs: durationMs(),
  drainTimeoutMs: durationMs(),
  topology: z.strictObject({
    partitions: positiveInt(),
    consumers: positiveInt(),
    brokers: z.union([z.literal(1), z.literal(3)], { error: "expected 1 or 3" }),
    kraft: z.boolean(),
  }),
  windowMs: durationMs(),
  malformed: share(),
  malformedKinds: z
    .array(z.enum(MALFORMED_KINDS, { error: `expected one of ${MALFORMED_KINDS.join(", ")}` }))
    .min(1, { error: "name at least one kind, or leave the field out for all of them" })
    .default([...MALFORMED_KINDS]),
  seed: z.int({ error: "expected a whole number" }),
  faults: z.union([z.array(faultSchema), nemesisSchema]).default([]),
  thresholds: thresholdsSchema,
});

/** A nemesis's timeline is drawn here, from the seed and duration the scenario has after any flag. */
function expand(s: z.output<typeof shape>): Scenario {
  if (Array.isArray(s.faults)) return { ...s, faults: s.faults };
  const { nemesis } = s.faults;
  return { ...s, faults: nemesisSchedule(nemesis, s.seed, s.durationMs, s.topology), nemesis };
}

/**
 * Rules across fields; they run once every field has the right shape, on the timeline as drawn (a transform
 * would skip them whenever a field had a problem, and the problems are reported all at once).
 */
const scenarioSchema: z.ZodType<Scenario, ScenarioInput> = shape
  .superRefine((input, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const s = expand(input);
    if (s.nemesis && s.faults.length === 0)
      issue(
        ["durationMs"],
        `${formatDuration(s.durationMs)} leaves the nemesis no room for a fault between its start and its quiet end`,
      );
    checkFaults(s, issue);
    if (s.windowMs > s.drainTimeoutMs) {
      issue(
        ["windowMs"],
        `${formatDuration(s.windowMs)} is longer than the drain timeout (drainTimeoutMs) of ${formatDuration(s.drainTimeoutMs)}: the last window could not commit before the drain gives up`,
      );
    }
    checkLoad(s.load, s.durationMs, issue);
  })
  .transform(expand);

type Issue = (path: (string | number)[], message: string) => void;

/** Each fault fits in the load, and names a target of the kind its action needs that exists by then. */
function checkFaults(s: Scenario, issue: Issue) {
  // Consumers exist from the start, or from the add-consumer that started them (in time order).
  const consumersAt = new Map<number, number>();
  let consumers = s.topology.consumers;
  for (const { fault, i } of s.faults
    .map((fault, i) => ({ fault, i }))
    .sort((a, b) => a.fault.atMs - b.fault.atMs)) {
    consumersAt.set(i, consumers);
    if (fault.action === "add-consumer") consumers += 1;
  }
  s.faults.forEach((fault, i) => {
    const last = fault.atMs + (fault.jitterMs ?? 0);
    if (last >= s.durationMs) {
      issue(
        ["faults", i, "atMs"],
        `at ${formatDuration(last)}${fault.jitterMs ? " at the latest" : ""}, but the load lasts ${formatDuration(s.durationMs)}`,
      );
    }
    const [kind, rest = ""] = fault.target.split(":");
    const brokerAction = (BROKER_FAULT_ACTIONS as readonly string[]).includes(fault.action);
    const rolling = fault.action === "rolling-restart";
    if (rolling !== (fault.target === "broker:*"))
      issue(
        ["faults", i, "target"],
        rolling
          ? '"rolling-restart" takes the target "broker:*"'
          : '"broker:*" is only for "rolling-restart"',
      );
    if (!rolling && fault.inSyncTimeoutMs !== undefined)
      issue(["faults", i, "inSyncTimeoutMs"], 'only a "rolling-restart" waits for partitions to be in sync');
    checkRollingPace(fault, i, rolling, issue);
    if (brokerAction && kind === "consumer")
      issue(
        ["faults", i, "target"],
        `"${fault.action}" needs a broker:<id> or leader:<topic>/<partition> target`,
      );
    if (!brokerAction && kind !== "consumer")
      issue(["faults", i, "target"], `"${fault.action}" needs a consumer:<index> target`);
    if (kind === "broker" && rest !== "*") {
      const id = Number(rest);
      if (id < 1 || id > s.topology.brokers)
        issue(
          ["faults", i, "target"],
          `there is no broker ${id}: broker ids run from 1 to ${s.topology.brokers}`,
        );
    }
    if (kind === "leader") {
      const [topic, partition] = rest.split("/");
      if (topic === DEFAULT_TOPICS.input && Number(partition) >= s.topology.partitions)
        issue(
          ["faults", i, "target"],
          `there is no partition ${partition} of ${topic}: it has ${s.topology.partitions}`,
        );
    }
    checkThrottle(fault, i, s.durationMs, issue);
    if (kind !== "consumer" || rest === "*") return;
    const index = Number(rest);
    const existing = consumersAt.get(i) ?? s.topology.consumers;
    if (fault.action === "add-consumer") {
      if (index !== existing)
        issue(["faults", i, "target"], `the next consumer added gets index ${existing}, not ${index}`);
    } else if (index >= existing) {
      issue(["faults", i, "target"], `there is no consumer ${index}: indexes run from 0 to ${existing - 1}`);
    }
  });
}

/** `waitInSync: false` paces a rolling restart by `gapMs` instead of the in-sync wait; nothing else does. */
function checkRollingPace(fault: Scenario["faults"][number], i: number, rolling: boolean, issue: Issue) {
  if (!rolling) {
    for (const field of ["waitInSync", "gapMs"] as const)
      if (fault[field] !== undefined)
        issue(["faults", i, field], `only a "rolling-restart" takes ${field}, not "${fault.action}"`);
    return;
  }
  if (fault.waitInSync !== false && fault.gapMs !== undefined)
    issue(["faults", i, "gapMs"], "a gap between brokers replaces the in-sync wait: add waitInSync: false");
  if (fault.waitInSync === false && fault.inSyncTimeoutMs !== undefined)
    issue(["faults", i, "inSyncTimeoutMs"], "with waitInSync: false the restart waits for no in-sync state");
}

/** A throttle says how hard and how long, and ends within the load; no other fault takes those fields. */
function checkThrottle(fault: Scenario["faults"][number], i: number, durationMs: number, issue: Issue) {
  const fields = ["dutyPercent", "periodMs", "forMs"] as const;
  if (fault.action !== "throttle-consumer") {
    for (const field of fields)
      if (fault[field] !== undefined)
        issue(["faults", i, field], `only a throttle-consumer takes ${field}, not "${fault.action}"`);
    if (fault.target === "consumer:*" && (CONSUMER_FAULT_ACTIONS as readonly string[]).includes(fault.action))
      issue(
        ["faults", i, "target"],
        `"${fault.action}" needs a consumer:<index>; only a throttle takes consumer:*`,
      );
    return;
  }
  if (fault.dutyPercent === undefined)
    issue(
      ["faults", i, "dutyPercent"],
      "a throttle needs the share of each period its aggregators are stopped, e.g. 70",
    );
  if (fault.forMs === undefined)
    issue(["faults", i, "forMs"], "a throttle needs how long it lasts, e.g. 20000");
  const end = fault.atMs + (fault.jitterMs ?? 0) + (fault.forMs ?? 0);
  if (fault.forMs !== undefined && end > durationMs)
    issue(
      ["faults", i, "forMs"],
      `the throttle would last until ${formatDuration(end)}, but the load lasts ${formatDuration(durationMs)}: the lag could not drain under load after it`,
    );
}

function checkLoad(
  load: LoadProfile,
  duration: number,
  issue: (path: (string | number)[], message: string) => void,
) {
  if (load.kind === "spike" && load.atMs >= duration) {
    issue(
      ["load", "atMs"],
      `at ${formatDuration(load.atMs)}, but the load lasts ${formatDuration(duration)}`,
    );
  }
  if (load.kind === "ramp" && load.from === 0 && load.to === 0)
    issue(["load", "to"], "a ramp from 0 to 0 sends nothing");
  if (load.kind === "step" && load.steps.every((step) => step.rate === 0))
    issue(["load", "steps"], "every step has rate 0");
  if (load.kind === "search") {
    if (load.startRate > load.maxRate) issue(["load", "maxRate"], `below startRate (${load.startRate})`);
    if (load.stepMs + load.holdMs > duration) {
      issue(
        ["durationMs"],
        `a search needs at least one step and the hold: ${formatDuration(load.stepMs + load.holdMs)}`,
      );
    }
  }
}

/** One thing wrong with a scenario: where (`load.rate`) and what. */
export interface ScenarioProblem {
  path: string;
  message: string;
}

/** The scenario, or every problem with it at once. */
export function checkScenario(input: unknown): { scenario: Scenario } | { problems: ScenarioProblem[] } {
  const result = scenarioSchema.safeParse(input, { reportInput: true });
  return result.success
    ? { scenario: result.data }
    : { problems: result.error.issues.flatMap(describeIssue) };
}

/** Validates a scenario, reporting every problem at once with its path, e.g. `load.rate: expected a positive number`. */
export function validateScenario(input: unknown, source: string): Scenario {
  const checked = checkScenario(input);
  if ("scenario" in checked) return checked.scenario;
  const { problems } = checked;
  throw new UsageError(
    `${source} is not a valid scenario (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${source}: ${p.path}: ${p.message}`).join("\n")}`,
    "fix the fields named above; harness/scenario/types.ts says what each one means",
  );
}

function describeIssue(issue: z.core.$ZodIssue): ScenarioProblem[] {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: "unknown key" }));
  }
  if (issue.code === "invalid_type") {
    if (issue.expected === "int" && typeof issue.input === "number")
      return [{ path, message: "expected a whole number" }];
    return [
      {
        path,
        message: `expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`,
      },
    ];
  }
  return [{ path, message: issue.message }];
}

const EXPECTED_NAMES: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
};

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the scenario)";
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}
