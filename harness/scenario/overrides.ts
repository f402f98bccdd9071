import { UsageError } from "../core/errors.ts";
import { checkScenario } from "./schema.ts";
import type { LoadProfile, Scenario } from "./types.ts";

/** Command-line flags that change a scenario; a flag left undefined keeps the scenario's value. */
export interface ScenarioOverrides {
  /** The load's peak target rate, events/s; see `withRate` for what that means per profile. */
  rate?: number;
  durationMs?: number;
  partitions?: number;
  consumers?: number;
  brokersCount?: number;
  kraft?: boolean;
  seed?: number;
  malformed?: number;
  windowMs?: number;
}

/** The flag behind each override, and the scenario fields it sets, to name the flag in a problem. */
const FLAG_OF: Record<keyof ScenarioOverrides, { flag: string; path: RegExp }> = {
  rate: { flag: "--rate", path: /^load\b/ },
  durationMs: { flag: "--duration", path: /^durationMs$/ },
  partitions: { flag: "--partitions", path: /^topology\.partitions$/ },
  consumers: { flag: "--consumers", path: /^topology\.consumers$/ },
  brokersCount: { flag: "--brokers-count", path: /^topology\.brokers$/ },
  kraft: { flag: "--kraft", path: /^topology\.kraft$/ },
  seed: { flag: "--seed", path: /^seed$/ },
  malformed: { flag: "--malformed", path: /^malformed$/ },
  windowMs: { flag: "--window", path: /^windowMs$/ },
};

/**
 * Applies command-line flags to a scenario and validates the result with the same rules as a scenario
 * file, so that `--duration 10s` with a fault at 30 s is reported like a bad file would be. A problem in
 * a field a flag set is reported under the flag's name.
 */
export function applyOverrides(scenario: Scenario, flags: ScenarioOverrides): Scenario {
  const { nemesis, ...rest } = scenario;
  const changed = {
    ...rest,
    // A nemesis draws its timeline again, from the seed and duration the flags leave.
    ...(nemesis ? { faults: { nemesis } } : {}),
    load: flags.rate === undefined ? scenario.load : withRate(scenario.load, flags.rate),
    durationMs: flags.durationMs ?? scenario.durationMs,
    topology: {
      partitions: flags.partitions ?? scenario.topology.partitions,
      consumers: flags.consumers ?? scenario.topology.consumers,
      brokers: flags.brokersCount ?? scenario.topology.brokers,
      kraft: flags.kraft ?? scenario.topology.kraft,
    },
    seed: flags.seed ?? scenario.seed,
    malformed: flags.malformed ?? scenario.malformed,
    windowMs: flags.windowMs ?? scenario.windowMs,
  };
  const checked = checkScenario(changed);
  if ("scenario" in checked) return checked.scenario;
  const given = (Object.keys(flags) as (keyof ScenarioOverrides)[]).filter((k) => flags[k] !== undefined);
  const lines = checked.problems.map(({ path, message }) => {
    const flag = given.map((k) => FLAG_OF[k]).find((f) => f.path.test(path))?.flag;
    return `  ${flag ?? path}: ${message}`;
  });
  throw new UsageError(
    `the command-line flags do not fit scenario "${scenario.name}" (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    "change the flags named above; a field named without a flag is the scenario's own (harness/scenario/types.ts)",
  );
}

/**
 * What `--rate R` means for each profile:
 * - constant: the rate becomes R;
 * - ramp, step, spike: the profile is scaled so that its peak becomes R, keeping its shape;
 * - search: the search starts at R (its maximum stays).
 */
export function withRate(load: LoadProfile, rate: number): LoadProfile {
  switch (load.kind) {
    case "constant":
      return { ...load, rate };
    case "ramp": {
      const scale = rate / Math.max(load.from, load.to);
      return { ...load, from: load.from * scale, to: load.to * scale };
    }
    case "step": {
      const scale = rate / Math.max(...load.steps.map((step) => step.rate));
      return { ...load, steps: load.steps.map((step) => ({ ...step, rate: step.rate * scale })) };
    }
    case "spike": {
      const scale = rate / Math.max(load.base, load.peak);
      return { ...load, base: load.base * scale, peak: load.peak * scale };
    }
    case "search":
      return { ...load, startRate: rate };
  }
}
