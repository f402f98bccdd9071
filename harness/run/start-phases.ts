import { randomBytes } from "node:crypto";
import { defaultClient, librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import { DEFAULT_TOPICS } from "../../pipeline/topics.ts";
import type { Clock } from "../core/clock.ts";
import { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import { PrometheusApi } from "../infra/prometheus-api.ts";
import type { StartedStack } from "../infra/types.ts";
import { ArrivalSchedule } from "../load/arrival-rate.ts";
import type { FleetRun } from "../load/driver-fleet.ts";
import type { ExternalDriverRun } from "../load/external-driver.ts";
import { prepareFleetLoad } from "../load/fleet-load.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { prepareProducerLoad } from "../load/producer-load.ts";
import { describeLoad, runCurve } from "../load/profile.ts";
import { RateSearch } from "../load/rate-search.ts";
import { AnalyticsTail } from "../observe/analytics-tail.ts";
import { DeliveryRecorder } from "../observe/delivery.ts";
import { LabMetrics } from "../observe/lab-metrics.ts";
import { LagProbe } from "../observe/lag-probe.ts";
import { KafkaRecordTimestamps } from "../observe/record-timestamps.ts";
import { Timeline } from "../observe/timeline.ts";
import type { RunTopics } from "../verify/collect.ts";
import type { RunContext, RunOptions } from "./context.ts";
import { progressReader } from "./progress.ts";
import { prepareTopics, startExternalLoad, waitForGroup } from "./setup.ts";

/** A driver connected and ready: `run` starts its schedule. */
export interface ReadyDriver {
  run(): Promise<ProducerRun | FleetRun | ExternalDriverRun>;
  /** The Kafka client of the lab's own driver. */
  client: ClientName;
  /** Driver processes of the lab's own (1 unless `--producers`). */
  producers: number;
}

/**
 * Phase 1: the topics exist and are ready, the run has its own consumer group, and everything the run
 * observes with is built, nothing started yet: a failure here leaves nothing to stop.
 */
export async function prepareTopicsAndGroup(
  stack: StartedStack,
  options: RunOptions,
  clock: Clock,
  startedAt: Date,
): Promise<RunContext> {
  const { scenario, log } = options;
  const preparingAtMs = clock.now();
  const topics: RunTopics = { ...DEFAULT_TOPICS };
  const groupId = `user-login-aggregator-${scenario.name}-${randomBytes(3).toString("hex")}`;
  const start = await prepareTopics(stack, topics, scenario.topology.partitions, groupId);
  const prometheusUrl = stack.prometheusUrl();
  const grafanaUrl = stack.grafanaUrl();
  if (grafanaUrl) log(`Grafana: ${grafanaUrl}/d/fetch/fetch-dashboard`);
  const prometheus = prometheusUrl ? new PrometheusApi(prometheusUrl) : undefined;
  const connection = stack.connection();
  const labMetrics = new LabMetrics();
  const timeline = new Timeline({ brokerMetrics: prometheus !== undefined }, (error) =>
    log(`warning: a reader of the run's timeline failed: ${(error as Error).message}`),
  );
  timeline.subscribe(progressReader(scenario.name, scenario.durationMs, options.progress));
  timeline.recordPhase("prepare", preparingAtMs);
  const aggregatorClient = options.aggregatorClient ?? "kafkajs";
  const search =
    scenario.load.kind === "search" ? new RateSearch(scenario.load, scenario.durationMs) : undefined;
  return {
    options,
    scenario,
    log,
    clock,
    startedAt,
    stack,
    connection,
    topics,
    groupId,
    start,
    prometheusUrl,
    grafanaUrl,
    prometheus,
    labMetrics,
    timeline,
    aggregatorClient,
    search,
    delivery: new DeliveryRecorder({ inputTopic: topics.input, inputStart: start.input, labMetrics }),
    fleet: newFleet(stack, options, topics, groupId, aggregatorClient),
    probe: new LagProbe(connection, groupId, topics.input, start.input),
    recordTimestamps: new KafkaRecordTimestamps(connection, topics.input, [...start.input.keys()]),
    curve: runCurve(scenario.load, scenario.durationMs, search),
    ledger: new CountsBuilder(),
    stopLoad: new AbortController(),
    running: {},
  };
}

function newFleet(
  stack: StartedStack,
  options: RunOptions,
  topics: RunTopics,
  groupId: string,
  client: ClientName,
): ConsumerFleet {
  return new ConsumerFleet({
    connection: stack.connection(),
    groupId,
    topics,
    windowMs: options.scenario.windowMs,
    inputPartitions: options.scenario.topology.partitions,
    logDir: options.logDir,
    client,
    ...(options.consumerCommand ? { command: options.consumerCommand } : {}),
    onMetricsEndpoint: (address) => stack.registerScrapeTarget("login-consumer", address),
  });
}

/** The lab's own /metrics scraped beside the pipeline's, and the lag probe connected. */
export async function connectObservers(run: RunContext): Promise<void> {
  await run.stack.registerScrapeTarget("lab", await run.labMetrics.serve());
  await run.probe.connect();
}

/** Phase 2: the aggregators started and all of them members of the run's group. */
export async function startAggregators(run: RunContext): Promise<void> {
  const { scenario, fleet, log } = run;
  run.timeline.recordPhase("aggregators", run.clock.now());
  log(`starting ${plural(scenario.topology.consumers, "aggregator")}: ${fleet.description}…`);
  for (let i = 0; i < scenario.topology.consumers; i += 1) await fleet.add();
  await waitForGroup(run.stack, run.groupId, scenario.topology.consumers);
}

/**
 * Phase 3: the analytics tail following the output and the driver connected. Every driver connects before
 * the run's clock starts, so that its schedule starts with it.
 */
export async function startDriver(run: RunContext): Promise<ReadyDriver> {
  const { options } = run;
  run.timeline.recordPhase("driver", run.clock.now());
  const tail = new AnalyticsTail(run.connection, run.topics.output, run.delivery.onAnalytics);
  run.running.tail = tail;
  await tail.start();
  const client = options.client ?? defaultClient();
  const producers = options.producers ?? 1;
  if (options.driverCommand)
    return { ...(await externalDriver(run, options.driverCommand)), client, producers };
  const driver = producers > 1 ? await fleetDriver(run, client, producers) : await ownDriver(run, client);
  return { run: () => driver.run(), client, producers };
}

async function externalDriver(run: RunContext, command: string): Promise<Pick<ReadyDriver, "run">> {
  const externalLoad = await startExternalLoad({
    command,
    scenario: run.scenario,
    connection: run.connection,
    topic: run.topics.input,
    start: run.start.input,
    logDir: run.options.logDir,
    clock: run.clock,
    signal: run.stopLoad.signal,
    onRecord: run.delivery.onRecordSeen,
  });
  run.running.externalLoad = externalLoad;
  return externalLoad;
}

function fleetDriver(run: RunContext, client: ClientName, processes: number) {
  return prepareFleetLoad({
    processes,
    scenario: run.scenario,
    connection: run.connection,
    topic: run.topics.input,
    client,
    signal: run.stopLoad.signal,
    onAck: run.delivery.onAck,
    log: run.log,
  });
}

function ownDriver(run: RunContext, client: ClientName) {
  const { scenario, delivery, ledger, log } = run;
  const schedule = new ArrivalSchedule(run.curve, 0);
  return prepareProducerLoad({
    client,
    connection: run.connection,
    topic: run.topics.input,
    schedule: { dueCount: (ms) => schedule.dueBefore(ms), dueTime: (i) => schedule.dueTime(i) },
    stopAfter: { durationMs: scenario.durationMs },
    seed: scenario.seed,
    malformed: scenario.malformed,
    malformedKinds: scenario.malformedKinds,
    clock: run.clock,
    signal: run.stopLoad.signal,
    onAck: (ack) => {
      for (const record of ack.records) ledger.addSent(record);
      delivery.onAck(ack);
    },
    onSendError: (failure) => {
      log(`a send of ${failure.records} event(s) failed after retries: ${failure.error.message}`);
    },
  });
}

/** Said as the clock starts, when the drivers are ready: a test or a person can take it as the load's start. */
export function describeLoadStart(run: RunContext, client: ClientName): string {
  const { options, scenario } = run;
  const describe = describeLoad(scenario.load, scenario.durationMs);
  const unavailable = librdkafkaUnavailable();
  return options.driverCommand
    ? `load: ${describe} asked of the driver command \`${options.driverCommand}\` (the ledger is the recount of ${run.topics.input})`
    : `load: ${describe}, seed ${scenario.seed}, client ${client}` +
        (client === "kafkajs" && unavailable ? ` (librdkafka is faster, but ${unavailable})` : "");
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
