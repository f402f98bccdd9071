import { librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { asKafkaFailure } from "../infra/kafka-failure.ts";
import { startStack } from "../infra/start.ts";
import type { StartedStack } from "../infra/types.ts";
import { checkExternalDriverFits } from "../load/external-load.ts";
import type { RunResult } from "../result/types.ts";
import type { RunOptions } from "./context.ts";
import { result, stopEverything, verify } from "./end-phases.ts";
import { drain, loadWithFaults, settle } from "./load-phases.ts";
import {
  connectObservers,
  plural,
  prepareTopicsAndGroup,
  startAggregators,
  startDriver,
} from "./start-phases.ts";

/**
 * Runs one scenario end to end: stack → topics → consumers → open-model load with faults on its timeline,
 * observed every second → drain → verification against what Kafka holds → one RunResult.
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, log } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now());
  if (options.driverCommand) checkExternalDriverFits(scenario);
  const unavailable = librdkafkaUnavailable();
  for (const [flag, client] of [
    ["--client", options.client],
    ["--aggregator-client", options.aggregatorClient],
  ] as const) {
    if (client === "librdkafka" && unavailable)
      throw new LabError("USAGE", `${flag} librdkafka cannot be used: ${unavailable}`, {
        hint: `install those and run npm ci again, or use ${flag} kafkajs`,
      });
  }
  log(
    options.provider === "external"
      ? "connecting to the external cluster…"
      : `starting the ${options.provider} stack: ${plural(scenario.topology.brokers, "broker")}, ${scenario.topology.kraft ? "KRaft" : "ZooKeeper"}…`,
  );
  const stack = await startStack(
    options.provider,
    {
      brokers: scenario.topology.brokers,
      kraft: scenario.topology.kraft,
      prometheus: true,
      log,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    options.external,
  );
  try {
    return await runOnStack(stack, options, clock, startedAt);
  } catch (error) {
    throw asKafkaFailure(error, stack.logFiles());
  } finally {
    await stack.stop();
  }
}

/**
 * One run on a started stack, as named phases over one context: topics and group → aggregators → driver →
 * load with faults → drain → settle (URP) → verify → result. Whatever a phase started is stopped in
 * `finally`, whichever phase failed.
 */
async function runOnStack(
  stack: StartedStack,
  options: RunOptions,
  clock: Clock,
  startedAt: Date,
): Promise<RunResult> {
  const run = await prepareTopicsAndGroup(stack, options, clock, startedAt);
  try {
    await connectObservers(run);
    await startAggregators(run);
    const driver = await startDriver(run);
    const loading = await loadWithFaults(run, driver);
    const drained = await drain(run, loading);
    await settle(run, loading);
    const verified = await verify(run);
    return result(run, driver, loading, drained, verified);
  } finally {
    await stopEverything(run);
  }
}
