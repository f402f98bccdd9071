import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { Clock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import type { Scenario } from "../scenario/types.ts";
import { driverEnvironment } from "./driver-env.ts";
import { type ExternalDriverRun, runExternalDriver } from "./external-driver.ts";
import { expectedCount } from "./profile.ts";

/** What a run with an external driver cannot measure in any second, and why: gaps, never zeros. */
export const EXTERNAL_NOT_MEASURED = [
  {
    what: "events lost before Kafka",
    reason:
      "an external driver keeps no ledger: the ledger is the recount of the input topic over the run's offsets, so an event the driver failed to write is not known",
  },
  {
    what: "send delay",
    reason:
      "an external driver reports no due or send times; end-to-end latency and lag in seconds start at each record's timestamp instead",
  },
];

/** The lab cannot steer a command of one's own to the rate its search would pick next. */
export function checkExternalDriverFits(scenario: Scenario): void {
  if (scenario.load.kind === "search")
    throw new LabError(
      "USAGE",
      `${scenario.name} searches for the highest sustained rate, which needs the lab's own driver to change the rate as it goes; an external command runs at its own rate`,
      {
        hint: "drop --driver external, or run a scenario with a fixed profile (e.g. smoke, baseline, spike)",
      },
    );
}

export interface ExternalLoadOptions {
  command: string;
  scenario: Scenario;
  connection: KafkaConnection;
  topic: string;
  logDir: string;
  clock: Clock;
  signal: AbortSignal;
  /** How many records are in the topic past the run's start offsets: what the driver wrote. */
  written: () => Promise<number>;
}

/**
 * Runs the driver command with the scenario's settings in its environment; resolves when it has exited or
 * been stopped, with what it left in the topic.
 */
export function runExternalLoad(options: ExternalLoadOptions): Promise<ExternalDriverRun> {
  const { scenario, connection, topic } = options;
  const env = driverEnvironment({
    connection,
    topic,
    ratePerSec: expectedCount(scenario.load, scenario.durationMs) / (scenario.durationMs / 1000),
    events: expectedCount(scenario.load, scenario.durationMs),
    durationMs: scenario.durationMs,
    partitions: scenario.topology.partitions,
    seed: scenario.seed,
    malformed: scenario.malformed,
  });
  return runExternalDriver({
    command: options.command,
    env,
    logDir: options.logDir,
    clock: options.clock,
    durationMs: scenario.durationMs,
    signal: options.signal,
    written: options.written,
  });
}
