import { randomBytes } from "node:crypto";
import { defaultClient, librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import { DEFAULT_TOPICS } from "../../pipeline/topics.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { faultTimes, scheduleFaults } from "../faults/faults.ts";
import { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import { describeOutcome, isClean } from "../infra/aggregators/stop-outcome.ts";
import type { ExternalOptions } from "../infra/external.ts";
import { asKafkaFailure } from "../infra/kafka-failure.ts";
import { PrometheusApi } from "../infra/prometheus-api.ts";
import { startStack } from "../infra/start.ts";
import type { ProviderName, StartedStack } from "../infra/types.ts";
import { ArrivalSchedule } from "../load/arrival-rate.ts";
import type { FleetRun } from "../load/driver-fleet.ts";
import type { ExternalDriverRun } from "../load/external-driver.ts";
import { checkExternalDriverFits, EXTERNAL_NOT_MEASURED } from "../load/external-load.ts";
import { prepareFleetLoad } from "../load/fleet-load.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { prepareProducerLoad } from "../load/producer-load.ts";
import { describeLoad, expectedCount, runCurve } from "../load/profile.ts";
import { RateSearch } from "../load/rate-search.ts";
import { AnalyticsTail } from "../observe/analytics-tail.ts";
import { DeliveryRecorder } from "../observe/delivery.ts";
import { LabMetrics } from "../observe/lab-metrics.ts";
import { LagProbe } from "../observe/lag-probe.ts";
import { Liveness } from "../observe/liveness.ts";
import { Observer } from "../observe/observer.ts";
import { KafkaRecordTimestamps } from "../observe/record-timestamps.ts";
import type { Sample } from "../observe/sample.ts";
import { Timeline } from "../observe/timeline.ts";
import { sampleUntilUrpZero, urpSettleDeadline } from "../observe/urp-settle.ts";
import { buildResult, withScenarioChecks } from "../result/build.ts";
import type { RateLimiter, RunResult } from "../result/types.ts";
import type { Scenario } from "../scenario/types.ts";
import { collect, type RunTopics } from "../verify/collect.ts";
import { readFetchCounters } from "../verify/fetch-counters.ts";
import { endOffsets } from "../verify/topic-reader.ts";
import { formatProgress, type Phase } from "./progress.ts";
import { SearchStepper } from "./search-stepper.ts";
import { type ExternalLoad, prepareTopics, startExternalLoad, waitForGroup } from "./setup.ts";

export interface RunOptions {
  scenario: Scenario;
  provider: ProviderName;
  external?: ExternalOptions;
  /** Messages for a person: start-up, faults, warnings. */
  log: (line: string) => void;
  /** The live progress line, once a second. */
  progress: (line: string) => void;
  /** Where consumer logs go. */
  logDir: string;
  signal?: AbortSignal;
  clock?: Clock;
  /** A shell command that runs an aggregator of one's own instead of the pipeline's (see infra/aggregators/consumer-fleet.ts). */
  consumerCommand?: string;
  /** The load driver's Kafka client; default the fastest installed. */
  client?: ClientName;
  /** The pipeline aggregator's Kafka client; default kafkajs (see pipeline/consumer/args.ts). */
  aggregatorClient?: ClientName;
  /** Load driver processes, each with its share of the schedule (see load/fleet-load.ts); default 1, this one. */
  producers?: number;
  /** A shell command that drives the load instead of the lab's driver (see load/external-load.ts). */
  driverCommand?: string;
}

const TICK_MS = 1_000;
/** After Ctrl-C the pipeline drains for at most this long (or the scenario's own bound, if shorter). */
export const INTERRUPTED_DRAIN_MS = 15_000;

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

async function runOnStack(
  stack: StartedStack,
  options: RunOptions,
  clock: Clock,
  startedAt: Date,
): Promise<RunResult> {
  const { scenario, log } = options;
  const connection = stack.connection();
  const topics: RunTopics = { ...DEFAULT_TOPICS };
  const runId = `${scenario.name}-${randomBytes(3).toString("hex")}`;
  const groupId = `user-login-aggregator-${runId}`;

  const start = await prepareTopics(stack, topics, scenario.topology.partitions, groupId);
  const prometheusUrl = stack.prometheusUrl();
  const grafanaUrl = stack.grafanaUrl();
  if (grafanaUrl) log(`Grafana: ${grafanaUrl}/d/fetch/fetch-dashboard`);
  const prometheus = prometheusUrl ? new PrometheusApi(prometheusUrl) : undefined;
  const labMetrics = new LabMetrics();
  await stack.registerScrapeTarget("lab", await labMetrics.serve());
  const timeline = new Timeline({ brokerMetrics: prometheus !== undefined }, (error) =>
    log(`warning: a reader of the run's timeline failed: ${(error as Error).message}`),
  );
  // Built before the driver and the tail, so that what they see reaches it from their first record.
  const delivery = new DeliveryRecorder({ inputTopic: topics.input, inputStart: start.input, labMetrics });

  const aggregatorClient = options.aggregatorClient ?? "kafkajs";
  const fleet = new ConsumerFleet({
    connection,
    groupId,
    topics,
    windowMs: scenario.windowMs,
    inputPartitions: scenario.topology.partitions,
    logDir: options.logDir,
    client: aggregatorClient,
    ...(options.consumerCommand ? { command: options.consumerCommand } : {}),
    onMetricsEndpoint: (address) => stack.registerScrapeTarget("login-consumer", address),
  });
  const probe = new LagProbe(connection, groupId, topics.input, start.input);
  await probe.connect();
  const recordTimestamps = new KafkaRecordTimestamps(connection, topics.input, [...start.input.keys()]);
  let tail: AnalyticsTail | undefined;
  let externalLoad: ExternalLoad | undefined;
  try {
    log(`starting ${plural(scenario.topology.consumers, "aggregator")}: ${fleet.description}…`);
    for (let i = 0; i < scenario.topology.consumers; i += 1) await fleet.add();
    await waitForGroup(stack, groupId, scenario.topology.consumers);

    const search =
      scenario.load.kind === "search" ? new RateSearch(scenario.load, scenario.durationMs) : undefined;
    const curve = runCurve(scenario.load, scenario.durationMs, search);
    tail = new AnalyticsTail(connection, topics.output, delivery.onAnalytics);
    await tail.start();
    const schedule = new ArrivalSchedule(curve, 0);
    const stopLoad = new AbortController();
    const ledger = new CountsBuilder();
    const client = options.client ?? defaultClient();
    // Every driver connects before the run's clock starts, so that its schedule starts with it.
    const producers = options.producers ?? 1;
    if (options.driverCommand) {
      externalLoad = await startExternalLoad({
        command: options.driverCommand,
        scenario,
        connection,
        topic: topics.input,
        start: start.input,
        logDir: options.logDir,
        clock,
        signal: stopLoad.signal,
        onRecord: delivery.onRecordSeen,
      });
    }
    const driver =
      externalLoad ??
      (producers > 1
        ? await prepareFleetLoad({
            processes: producers,
            scenario,
            connection,
            topic: topics.input,
            client,
            signal: stopLoad.signal,
            onAck: delivery.onAck,
            log,
          })
        : await prepareProducerLoad({
            client,
            connection,
            topic: topics.input,
            schedule: { dueCount: (ms) => schedule.dueBefore(ms), dueTime: (i) => schedule.dueTime(i) },
            stopAfter: { durationMs: scenario.durationMs },
            seed: scenario.seed,
            malformed: scenario.malformed,
            malformedKinds: scenario.malformedKinds,
            clock,
            signal: stopLoad.signal,
            onAck: (ack) => {
              for (const record of ack.records) ledger.addSent(record);
              delivery.onAck(ack);
            },
            onSendError: (failure) => {
              log(`a send of ${failure.records} event(s) failed after retries: ${failure.error.message}`);
            },
          }));

    // Said as the clock starts, when the drivers are ready: a test or a person reading the log can take it
    // as the load's start.
    log(
      options.driverCommand
        ? `load: ${describeLoad(scenario.load, scenario.durationMs)} asked of the driver command \`${options.driverCommand}\` (the ledger is the recount of ${topics.input})`
        : `load: ${describeLoad(scenario.load, scenario.durationMs)}, seed ${scenario.seed}, client ${client}` +
            (client === "kafkajs" && librdkafkaUnavailable()
              ? ` (librdkafka is faster, but ${librdkafkaUnavailable()})`
              : ""),
    );
    const loadStartMs = clock.now();
    const liveness = new Liveness({
      topic: topics.input,
      windowMs: scenario.windowMs,
      faults: timeline.faults,
      plannedFaultsMs: faultTimes(scenario.faults, scenario.seed),
      indexOfPid: (pid) => fleet.indexOfPid(pid),
      log,
    });
    const observer = new Observer({
      clock,
      loadStartMs,
      inputStart: start.input,
      windowMs: scenario.windowMs,
      probe,
      recordTimestamps,
      prometheus,
      labMetrics,
      delivery,
      timeline,
      targetRateAt: (elapsedMs) => (elapsedMs < scenario.durationMs ? curve.rateAt(elapsedMs) : 0),
      memoryTargets: () =>
        fleet.metricsAddresses.flatMap((address, index) =>
          address ? [{ name: `consumer-${index}`, address }] : [],
        ),
      ...(options.driverCommand ? { notMeasured: EXTERNAL_NOT_MEASURED } : {}),
    });
    timeline.subscribe((event) => {
      if (event.kind === "sample") liveness.onPartitions(event.sample.elapsedMs, event.sample.partitions);
    });

    // Ctrl-C ends the run the way k6 does: the load stops, the pipeline drains for a bounded time, and
    // everything measured so far is verified and reported with the verdict `interrupted`.
    let interruptedAtMs: number | undefined;
    const interrupt = () => {
      interruptedAtMs = clock.now() - loadStartMs;
      stopLoad.abort();
      log(
        `interrupted at ${(interruptedAtMs / 1000).toFixed(1)} s: stopping the load, draining for at most ${Math.min(scenario.drainTimeoutMs, INTERRUPTED_DRAIN_MS) / 1000} s, then verifying and writing the reports (Ctrl-C again stops at once)`,
      );
    };
    if (options.signal?.aborted) interrupt();
    else options.signal?.addEventListener("abort", interrupt, { once: true });
    const producing: Promise<ProducerRun | FleetRun | ExternalDriverRun> = driver.run();

    const faultSchedule = scheduleFaults(
      scenario,
      stack,
      fleet,
      loadStartMs,
      clock,
      (fault) => timeline.recordFault(fault),
      log,
    );
    let producerDone = false;
    const producerSummary = producing.finally(() => {
      producerDone = true;
    });
    // Awaited after the tick that sees it done; until then a failure (a driver process died) is not unhandled.
    producerSummary.catch(() => {});
    const searchSteps = new SearchStepper(
      search,
      scenario,
      () => stopLoad.abort(),
      log,
      () => delivery.startPhase(),
    );
    let warnedBehind = false;
    const show = (phase: Phase, snapshot: Sample) =>
      options.progress(formatProgress(scenario.name, phase, snapshot, scenario.durationMs));
    let sampleFailures = 0;
    // The observer turns every failure it expects (a broker down, a call timed out) into a gap with its
    // reason; anything else still costs only that second, and is listed as a gap too.
    const sample = async (): Promise<Sample | undefined> => {
      try {
        return await observer.tick();
      } catch (error) {
        const reason = (error as Error).message;
        timeline.recordGap("every figure", Math.round((clock.now() - loadStartMs) / 100) / 10, reason);
        if (sampleFailures++ === 0) log(`a sample failed (${reason}); the run goes on`);
        return undefined;
      }
    };

    while (!producerDone) {
      await clock.sleep(TICK_MS - ((clock.now() - loadStartMs) % TICK_MS));
      const snapshot = await sample();
      if (!snapshot) continue;
      searchSteps.afterTick(snapshot);
      if (!warnedBehind && snapshot.generatorBehind) {
        warnedBehind = true;
        log(
          "warning: the load generator fell behind its schedule (send delay p99 over 1 s): the machine, not only the pipeline, may be the limit",
        );
      }
      show("load", snapshot);
    }
    // A fault may outlast the load (a rolling restart waits for every partition in sync): sample meanwhile.
    let faultsDone = false;
    const faultsFinished = faultSchedule.finish().finally(() => {
      faultsDone = true;
    });
    while (!faultsDone) {
      await Promise.race([faultsFinished, clock.sleep(TICK_MS)]);
      const snapshot = faultsDone ? undefined : await sample();
      if (snapshot) show("drain", snapshot);
    }
    const summary = await producerSummary;
    const loadEndMs = clock.now();

    // Drain: the load is over; wait for the group to commit everything, within the scenario's bound.
    let drainMs: number | null = null;
    const drainBound = () =>
      interruptedAtMs === undefined
        ? scenario.drainTimeoutMs
        : Math.min(scenario.drainTimeoutMs, INTERRUPTED_DRAIN_MS);
    while (clock.now() - loadEndMs < drainBound()) {
      await clock.sleep(TICK_MS);
      const snapshot = await sample();
      if (!snapshot) continue;
      show("drain", snapshot);
      if (snapshot.lagOffsets === 0) {
        drainMs = clock.now() - loadEndMs;
        break;
      }
    }
    log(
      drainMs === null
        ? `lag did not reach zero within ${drainBound() / 1000} s of the load ending`
        : `drained in ${(drainMs / 1000).toFixed(1)} s`,
    );
    const urpDeadline = urpSettleDeadline(timeline.faults, scenario.thresholds.urpZeroWithinMs, loadStartMs);
    if (urpDeadline !== undefined && interruptedAtMs === undefined)
      await sampleUntilUrpZero(
        () => timeline.series.underReplicatedPartitions,
        sample,
        urpDeadline,
        clock,
        (now) => log(`waiting for under-replicated partitions to reach 0 (${now ?? "not measured"} now)…`),
      );

    if (!fleet.allServeMetrics())
      log("the Fetch pipeline's Prometheus counters are not compared: an aggregator serves no /metrics");
    const fetchCounters = fleet.allServeMetrics()
      ? await readFetchCounters(prometheus, topics.input, fleet, timeline.faults, log)
      : undefined;
    const stopOutcomes = await fleet.stopAll();
    for (const outcome of stopOutcomes.filter((o) => !isClean(o))) log(describeOutcome(outcome));
    await tail.stop();
    tail = undefined;
    timeline.recordDelivery(delivery.totals());

    log("verifying: recounting the input and reading the analytics and the dead letters back…");
    const ends = await endOffsets(connection, topics.input);
    const coverage = new Map(
      [...ends].map(([p, end]) => [p, [start.input.get(p) ?? 0n, end - 1n] as [bigint, bigint]]),
    );
    const collected = await collect(connection, topics, { start, coverage, group: groupId });

    const result = buildResult({
      scenario,
      provider: options.provider,
      startedAt,
      finishedAt: new Date(clock.now()),
      ledger: "ledger" in summary ? summary.ledger.counts : ledger.build(),
      collected,
      fetchCounters,
      timeline,
      summary,
      loadMs: loadEndMs - loadStartMs,
      drainMs,
      rateSearch: withLimit(search?.result(), searchSteps.limiter()),
      ...(options.driverCommand ? { driverCommand: options.driverCommand } : {}),
      expectedTargetPerSec:
        search === undefined
          ? expectedCount(scenario.load, scenario.durationMs) / (scenario.durationMs / 1000)
          : (search.result()?.heldRatePerSec ?? 0),
      // A local or containerised stack stops with the run, so only an external one is worth linking.
      links:
        options.provider === "external"
          ? {
              ...(prometheusUrl ? { prometheus: prometheusUrl } : {}),
              ...(grafanaUrl
                ? {
                    grafana: `${grafanaUrl}/d/fetch/fetch-dashboard?orgId=1&from=${loadStartMs - 30_000}&to=${clock.now() + 30_000}`,
                  }
                : {}),
            }
          : {},
    });
    return withScenarioChecks(result, {
      scenario,
      timeline,
      summary,
      producers,
      loadMs: loadEndMs - loadStartMs,
      ...(stack.unexpectedExits ? { deaths: { exits: stack.unexpectedExits(), loadStartMs } } : {}),
      stopOutcomes,
      liveness: liveness.assertion(),
      ...(options.consumerCommand ? { aggregatorCommand: fleet.description } : { aggregatorClient }),
      ...(interruptedAtMs === undefined ? {} : { interruptedAtMs }),
    });
  } finally {
    await recordTimestamps.stop();
    await externalLoad?.stop();
    await tail?.stop();
    // Whatever is left of the pipeline goes; one that will not die is said, and must not cost the reports.
    for (const index of fleet.running())
      await fleet.kill(index).catch((error: unknown) => log(`warning: ${(error as Error).message}`));
    await probe.disconnect().catch(() => {});
    await labMetrics.close();
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The search's outcome with what set its limit, when a step failed. */
function withLimit(search: RunResult["rateSearch"], limit: RateLimiter | undefined): RunResult["rateSearch"] {
  return search && limit ? { ...search, limit } : search;
}
