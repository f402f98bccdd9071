import { retryWhile } from "../core/retry.ts";
import { describeOutcome, isClean, type StopOutcome } from "../infra/aggregators/stop-outcome.ts";
import { passesWithTime } from "../infra/kafka-failure.ts";
import { expectedCount } from "../load/profile.ts";
import { buildResult, withScenarioChecks } from "../result/build.ts";
import type { RateLimiter, RunResult } from "../result/types.ts";
import { type Collected, collect } from "../verify/collect.ts";
import type { FetchCounters } from "../verify/count-assertions.ts";
import { readFetchCounters } from "../verify/fetch-counters.ts";
import { endOffsets } from "../verify/topic-reader.ts";
import type { RunContext } from "./context.ts";
import type { Drained, Loading } from "./load-phases.ts";
import type { ReadyDriver } from "./start-phases.ts";

/** What the verification read back once the pipeline had stopped. */
export interface Verified {
  fetchCounters: FetchCounters | undefined;
  stopOutcomes: StopOutcome[];
  collected: Collected;
}

/**
 * Phase 7: the pipeline's own counters read, the aggregators and the tail stopped, then the input recounted
 * and the analytics and dead letters read back from Kafka.
 */
export async function verify(run: RunContext): Promise<Verified> {
  const { fleet, log, timeline, connection, topics, start } = run;
  timeline.recordPhase("verify", run.clock.now());
  if (!fleet.allServeMetrics())
    log("the Fetch pipeline's Prometheus counters are not compared: an aggregator serves no /metrics");
  const fetchCounters = fleet.allServeMetrics()
    ? await readFetchCounters(run.prometheus, topics.input, fleet, timeline.faults, log)
    : undefined;
  const stopOutcomes = await fleet.stopAll();
  for (const outcome of stopOutcomes.filter((o) => !isClean(o))) log(describeOutcome(outcome));
  await run.running.tail?.stop();
  run.running.tail = undefined;
  // Nothing more reaches the delivery recorder once the tail has stopped.
  timeline.recordDelivery(run.delivery.totals());
  log("verifying: recounting the input and reading the analytics and the dead letters back…");
  // Reads again while Kafka answers with an error that passes with time: chaos seed 18 on kafkajs began
  // verifying while a broker restarted by the last fault was 45 s from serving, and the whole run ended on
  // "not the leader for that topic-partition". The reads change nothing.
  const collected = await retryWhile(
    async () => {
      const ends = await endOffsets(connection, topics.input);
      const coverage = new Map(
        [...ends].map(([p, end]) => [p, [start.input.get(p) ?? 0n, end - 1n] as [bigint, bigint]]),
      );
      return collect(connection, topics, { start, coverage, group: run.groupId });
    },
    {
      passes: passesWithTime,
      clock: run.clock,
      untilMs: run.clock.now() + READ_BACK_LIMIT_MS,
      pauseMs: 2_000,
      onRetry: (error) => log(`reading back again in 2 s: ${(error as Error).message}`),
    },
  );
  return { fetchCounters, stopOutcomes, collected };
}

/** How long the read-back waits for the cluster to answer again: a broker restarted by a late fault. */
const READ_BACK_LIMIT_MS = 120_000;

/** Phase 8: the one RunResult, with the scenario's own checks and the verdict. */
export function result(
  run: RunContext,
  driver: ReadyDriver,
  loading: Loading,
  drained: Drained,
  verified: Verified,
): RunResult {
  const { options, scenario, clock, timeline, search } = run;
  timeline.recordPhase("result", clock.now());
  const { summary, drainMs } = drained;
  const loadMs = drained.loadEndMs - loading.loadStartMs;
  const interruptedAtMs = loading.interruptedAtMs();
  const built = buildResult({
    scenario,
    provider: options.provider,
    startedAt: run.startedAt,
    finishedAt: new Date(clock.now()),
    ledger: "ledger" in summary ? summary.ledger.counts : run.ledger.build(),
    collected: verified.collected,
    fetchCounters: verified.fetchCounters,
    timeline,
    summary,
    loadMs,
    drainMs,
    rateSearch: withLimit(search?.result(), loading.searchSteps.limiter()),
    ...(options.driverCommand ? { driverCommand: options.driverCommand } : {}),
    expectedTargetPerSec:
      search === undefined
        ? expectedCount(scenario.load, scenario.durationMs) / (scenario.durationMs / 1000)
        : (search.result()?.heldRatePerSec ?? 0),
    links: linksOf(run, loading.loadStartMs),
  });
  return withScenarioChecks(built, {
    scenario,
    timeline,
    summary,
    producers: driver.producers,
    loadMs,
    ...(run.stack.unexpectedExits
      ? { deaths: { exits: run.stack.unexpectedExits(), loadStartMs: loading.loadStartMs } }
      : {}),
    stopOutcomes: verified.stopOutcomes,
    liveness: loading.liveness.assertion(),
    ...(options.consumerCommand
      ? { aggregatorCommand: run.fleet.description }
      : { aggregatorClient: run.aggregatorClient }),
    ...(interruptedAtMs === undefined ? {} : { interruptedAtMs }),
  });
}

/** A local or containerised stack stops with the run, so only an external one is worth linking. */
function linksOf(run: RunContext, loadStartMs: number): RunResult["links"] {
  const { prometheusUrl, grafanaUrl } = run;
  if (run.options.provider !== "external") return {};
  return {
    ...(prometheusUrl ? { prometheus: prometheusUrl } : {}),
    ...(grafanaUrl
      ? {
          grafana: `${grafanaUrl}/d/fetch/fetch-dashboard?orgId=1&from=${loadStartMs - 30_000}&to=${run.clock.now() + 30_000}`,
        }
      : {}),
  };
}

/** The search's outcome with what set its limit, when a step failed. */
function withLimit(search: RunResult["rateSearch"], limit: RateLimiter | undefined): RunResult["rateSearch"] {
  return search && limit ? { ...search, limit } : search;
}

/**
 * Whatever the run started and is still running goes, whichever phase failed; one process that will not
 * die is said, and must not cost the reports.
 */
export async function stopEverything(run: RunContext): Promise<void> {
  await run.recordTimestamps.stop();
  await run.running.externalLoad?.stop();
  await run.running.tail?.stop();
  for (const index of run.fleet.running())
    await run.fleet.kill(index).catch((error: unknown) => run.log(`warning: ${(error as Error).message}`));
  await run.probe.disconnect().catch(() => {});
  await run.labMetrics.close();
}
