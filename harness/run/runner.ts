import { randomBytes } from "node:crypto";
import { cpus, hostname, totalmem, type } from "node:os";
import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { type ProducerSummary, runProducer } from "../../pipeline/producer/producer.ts";
import { DEFAULT_TOPICS, ensureTopics } from "../../pipeline/topics.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { waitFor } from "../core/wait-for.ts";
import type { ExternalOptions } from "../infra/external.ts";
import { PrometheusApi } from "../infra/prometheus-api.ts";
import { startStack } from "../infra/start.ts";
import type { ProviderName, StartedStack } from "../infra/types.ts";
import { KAFKA_VERSION } from "../infra/versions.ts";
import { ArrivalSchedule } from "../load/arrival-rate.ts";
import { describeLoad, expectedCount, runCurve } from "../load/profile.ts";
import { RateSearch } from "../load/rate-search.ts";
import { LabMetrics } from "../observe/lab-metrics.ts";
import type { AggregateCounts, Assertion, FaultRecord, RunResult } from "../result/types.ts";
import { RESULT_SCHEMA_VERSION } from "../result/types.ts";
import type { Scenario } from "../scenario/types.ts";
import { type Collected, collect, type RunTopics } from "../verify/collect.ts";
import { exactnessAssertions, lostAndDuplicated, type SeedCounters } from "../verify/exactness.ts";
import { CountsBuilder } from "../verify/ledger.ts";
import { evaluateThresholds } from "../verify/thresholds.ts";
import { endOffsets } from "../verify/topic-reader.ts";
import { AnalyticsTail } from "./analytics-tail.ts";
import { ConsumerFleet } from "./consumer-fleet.ts";
import { LagProbe } from "./lag-probe.ts";
import { Observer, type Snapshot } from "./observer.ts";
import { formatProgress, type Phase } from "./progress.ts";
import { lagKeptGrowing } from "./step-judge.ts";

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
}

const TICK_MS = 1_000;

/**
 * Runs one scenario end to end: stack → topics → consumers → open-model load with faults on its timeline,
 * observed every second → drain → verification against what Kafka holds → one RunResult.
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, log } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now());
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

  const fleet = new ConsumerFleet({
    connection,
    groupId,
    topics,
    windowMs: scenario.windowMs,
    inputPartitions: scenario.topology.partitions,
    logDir: options.logDir,
    onMetricsEndpoint: (address) => stack.registerScrapeTarget("login-consumer", address),
  });
  const probe = new LagProbe(connection, groupId, topics.input, start.input);
  await probe.connect();
  let tail: AnalyticsTail | undefined;
  try {
    log(`starting ${plural(scenario.topology.consumers, "aggregator")}…`);
    for (let i = 0; i < scenario.topology.consumers; i += 1) await fleet.add();
    await waitForGroup(stack, groupId, scenario.topology.consumers);

    const search =
      scenario.load.kind === "search" ? new RateSearch(scenario.load, scenario.durationMs) : undefined;
    const curve = runCurve(scenario.load, scenario.durationMs, search);
    let onAnalytics: (record: AnalyticsRecord, seenAtMs: number) => void = () => {};
    tail = new AnalyticsTail(connection, topics.output, (record, seenAtMs) => onAnalytics(record, seenAtMs));
    await tail.start();
    const loadStartMs = clock.now();
    const observer = new Observer({
      clock,
      loadStartMs,
      inputTopic: topics.input,
      inputStart: start.input,
      windowMs: scenario.windowMs,
      probe,
      prometheus,
      labMetrics,
      targetRateAt: (elapsedMs) => (elapsedMs < scenario.durationMs ? curve.rateAt(elapsedMs) : 0),
    });
    onAnalytics = observer.onAnalytics;

    const schedule = new ArrivalSchedule(curve, 0);
    const stopLoad = new AbortController();
    options.signal?.addEventListener("abort", () => stopLoad.abort(), { once: true });
    const ledger = new CountsBuilder();
    log(`load: ${describeLoad(scenario.load, scenario.durationMs)}, seed ${scenario.seed}`);
    const producing: Promise<ProducerSummary> = runProducer({
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
        for (const record of ack.records) ledger.addResult(record.expected);
        observer.onAck(ack);
      },
      onSendError: (failure) => {
        log(`a send of ${failure.records} event(s) failed after retries: ${failure.error.message}`);
      },
    });

    const faults: FaultRecord[] = [];
    const faultTimers = scheduleFaults(scenario, stack, fleet, loadStartMs, clock, faults, log);
    let producerDone = false;
    const producerSummary = producing.finally(() => {
      producerDone = true;
    });
    const searchSteps = new SearchStepper(search, scenario, () => stopLoad.abort(), log);
    let warnedBehind = false;
    const show = (phase: Phase, snapshot: Snapshot) =>
      options.progress(formatProgress(scenario.name, phase, snapshot, scenario.durationMs));
    let sampleFailures = 0;
    // A sample can fail while a broker is down; the run goes on and the series skips that second.
    const sample = async (): Promise<Snapshot | undefined> => {
      try {
        return await observer.tick();
      } catch (error) {
        if (sampleFailures++ === 0) log(`a sample failed (${(error as Error).message}); the run goes on`);
        return undefined;
      }
    };

    while (!producerDone) {
      await clock.sleep(TICK_MS - ((clock.now() - loadStartMs) % TICK_MS));
      const snapshot = await sample();
      if (!snapshot) continue;
      searchSteps.afterTick(snapshot);
      if (!warnedBehind && observer.sendDelay.generatorBehind()) {
        warnedBehind = true;
        log(
          "warning: the load generator fell behind its schedule (send delay p99 over 1 s): the machine, not only the pipeline, may be the limit",
        );
      }
      show("load", snapshot);
    }
    for (const timer of faultTimers) clearTimeout(timer);
    const summary = await producerSummary;
    const loadEndMs = clock.now();

    // Drain: the load is over; wait for the group to commit everything, within the scenario's bound.
    let drainMs: number | null = null;
    while (clock.now() - loadEndMs < scenario.drainTimeoutMs && !options.signal?.aborted) {
      await clock.sleep(TICK_MS);
      const snapshot = await sample();
      if (!snapshot) continue;
      show("drain", snapshot);
      if (snapshot.lagOffsets === 0) {
        drainMs = clock.now() - loadEndMs;
        break;
      }
    }
    if (options.signal?.aborted) throw new LabError("USAGE", "the run was interrupted");
    log(
      drainMs === null
        ? `lag did not reach zero within ${scenario.drainTimeoutMs / 1000} s of the load ending`
        : `drained in ${(drainMs / 1000).toFixed(1)} s`,
    );

    const seedCounters = await readSeedCounters(prometheus, topics.input, fleet, faults, log);
    await fleet.stopAll();
    await tail.stop();
    tail = undefined;

    log("verifying: recounting the input and reading the analytics and the dead letters back…");
    const ends = await endOffsets(connection, topics.input);
    const coverage = new Map(
      [...ends].map(([p, end]) => [p, [start.input.get(p) ?? 0n, end - 1n] as [bigint, bigint]]),
    );
    const collected = await collect(connection, topics, { start, coverage });

    return buildResult({
      scenario,
      provider: options.provider,
      startedAt,
      finishedAt: new Date(clock.now()),
      ledger: ledger.build(),
      collected,
      seedCounters,
      observer,
      summary,
      loadMs: loadEndMs - loadStartMs,
      drainMs,
      faults,
      rateSearch: search?.result(),
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
  } finally {
    await tail?.stop();
    for (const index of fleet.running()) await fleet.kill(index);
    await probe.disconnect().catch(() => {});
    await labMetrics.close();
  }
}

/** Creates the topics when missing and records where the run starts in each of them. */
async function prepareTopics(stack: StartedStack, topics: RunTopics, partitions: number, groupId: string) {
  const admin = createKafka(stack.connection(), "lab-setup").admin();
  await admin.connect();
  try {
    const rf = stack.replicationFactor();
    await ensureTopics(admin, [
      { topic: topics.input, partitions, replicationFactor: rf },
      { topic: topics.output, partitions: 1, replicationFactor: rf },
      { topic: topics.dlq, partitions: 1, replicationFactor: rf },
    ]);
    const [input, output, dlq] = await Promise.all(
      [topics.input, topics.output, topics.dlq].map((t) => endOffsets(stack.connection(), t)),
    );
    const inputStart = input as Map<number, bigint>;
    // On a cluster with history (external), the run's group starts where the run starts, not at offset 0.
    if ([...inputStart.values()].some((o) => o > 0n)) {
      await admin.setOffsets({
        groupId,
        topic: topics.input,
        partitions: [...inputStart].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
      });
    }
    return { input: inputStart, output: output as Map<number, bigint>, dlq: dlq as Map<number, bigint> };
  } finally {
    await admin.disconnect();
  }
}

async function waitForGroup(stack: StartedStack, groupId: string, members: number): Promise<void> {
  const admin = createKafka(stack.connection(), "lab-group-wait").admin();
  await admin.connect();
  try {
    let seen = "";
    await waitFor(
      async () => {
        const group = (await admin.describeGroups([groupId])).groups[0];
        seen = `${group?.state ?? "unknown"} with ${group?.members.length ?? 0} member(s)`;
        return group?.state === "Stable" && group.members.length === members ? true : undefined;
      },
      { what: `consumer group ${groupId}`, timeoutMs: 60_000, intervalMs: 250, describe: () => seen },
    );
  } finally {
    await admin.disconnect();
  }
}

function scheduleFaults(
  scenario: Scenario,
  stack: StartedStack,
  fleet: ConsumerFleet,
  loadStartMs: number,
  clock: Clock,
  faults: FaultRecord[],
  log: (line: string) => void,
): NodeJS.Timeout[] {
  return scenario.faults.map((step) =>
    setTimeout(
      () => {
        const [kind, id] = step.target.split(":");
        const atMs = clock.now() - loadStartMs;
        const applying =
          kind === "broker"
            ? stack.faults
                .apply(step.action as "kill" | "stop" | "pause" | "resume" | "restart", Number(id))
                .then((f) => ({
                  pid: f.pid,
                  signal: f.signal,
                }))
            : (step.action === "kill-consumer" ? fleet.kill(Number(id)) : fleet.restart(Number(id))).then(
                (e) => ({
                  pid: e.pid,
                  signal: e.signal,
                }),
              );
        applying.then(
          ({ pid, signal }) => {
            faults.push({
              atMs,
              action: step.action,
              target: step.target,
              ...(pid ? { pid } : {}),
              ...(signal ? { signal } : {}),
            });
            log(
              `fault at ${(atMs / 1000).toFixed(1)} s: ${step.action} ${step.target}${pid ? ` (pid ${pid})` : ""}`,
            );
          },
          (error: Error) => {
            faults.push({ atMs, action: step.action, target: step.target, note: `failed: ${error.message}` });
            log(`fault ${step.action} ${step.target} failed: ${error.message}`);
          },
        );
      },
      Math.max(0, loadStartMs + step.atMs - clock.now()),
    ),
  );
}

/** Feeds the max-rate search what each step showed, and ends the load when its hold is over. */
class SearchStepper {
  private lagSamples: number[] = [];
  private acked = 0;
  private sendDelayP99 = 0;

  constructor(
    private readonly search: RateSearch | undefined,
    private readonly scenario: Scenario,
    private readonly endLoad: () => void,
    private readonly log: (line: string) => void,
  ) {}

  afterTick(snapshot: Snapshot): void {
    const search = this.search;
    if (!search) return;
    const state = search.current();
    if (state.phase === "searching") {
      this.lagSamples.push(snapshot.lagOffsets);
      this.acked += snapshot.achievedRate;
      this.sendDelayP99 = Math.max(this.sendDelayP99, snapshot.sendDelayP99Ms);
      if (
        this.scenario.load.kind !== "search" ||
        snapshot.elapsedMs < state.stepStartedAtMs + this.scenario.load.stepMs
      )
        return;
      const seconds = Math.max(1, this.lagSamples.length);
      const next = search.observe({
        atMs: snapshot.elapsedMs,
        ratePerSec: this.acked / seconds,
        lagGrowing: lagKeptGrowing(this.lagSamples, state.ratePerSec),
        sendDelayP99Ms: this.sendDelayP99,
      });
      const last = search.lastStep();
      this.log(
        `rate search: ${Math.round(state.ratePerSec)}/s ${last ? (last.sustained ? "sustained" : `not sustained (${last.reason})`) : ""}` +
          (next.phase === "holding" ? ` → holding ${Math.round(next.ratePerSec)}/s` : ""),
      );
      this.lagSamples = [];
      this.acked = 0;
      this.sendDelayP99 = 0;
      if (next.phase === "done") this.endLoad();
    } else if (state.phase === "holding" && snapshot.elapsedMs >= state.endsAtMs) {
      this.endLoad();
    }
  }
}

/** The seed's counters summed over the consumers, when Prometheus runs and no consumer lost its counts. */
async function readSeedCounters(
  prometheus: PrometheusApi | undefined,
  topic: string,
  fleet: ConsumerFleet,
  faults: FaultRecord[],
  log: (line: string) => void,
): Promise<SeedCounters | undefined> {
  if (!prometheus) return undefined;
  if (
    faults.some((f) => f.action === "kill-consumer" || f.action === "restart-consumer") ||
    fleet.events.some((e) => e.action !== "start")
  ) {
    log(
      "the seed's Prometheus counters are not compared: a consumer restarted and its counters started again from zero",
    );
    return undefined;
  }
  const scraped = new Set(
    (await prometheus.targets()).filter((t) => t.health === "up").map((t) => t.instance),
  );
  const unscraped = fleet.metricsAddresses.filter((address) => !scraped.has(address));
  if (unscraped.length > 0) {
    log(
      `the seed's Prometheus counters are not compared: Prometheus does not scrape ${unscraped.join(", ")}`,
    );
    return undefined;
  }
  // Two scrape intervals, so the last commits are in Prometheus.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const byLabel = async (expr: string, label: string) =>
    Object.fromEntries((await prometheus.query(expr)).map((s) => [s.labels[label] ?? "", s.value]));
  const [total] = await prometheus.query(`sum(total_count{record_type="valid",topic="${topic}"})`);
  return {
    total: total?.value ?? 0,
    byDeviceType: await byLabel(`sum by (device_type) (device_type_count{topic="${topic}"})`, "device_type"),
    byLocale: await byLabel(`sum by (locale) (locale_count{topic="${topic}"})`, "locale"),
  };
}

interface ResultInput {
  scenario: Scenario;
  provider: ProviderName;
  startedAt: Date;
  finishedAt: Date;
  ledger: ReturnType<CountsBuilder["build"]>;
  collected: Collected;
  seedCounters: SeedCounters | undefined;
  observer: Observer;
  summary: ProducerSummary;
  loadMs: number;
  drainMs: number | null;
  faults: FaultRecord[];
  rateSearch: RunResult["rateSearch"];
  expectedTargetPerSec: number;
  links: RunResult["links"];
}

function buildResult(input: ResultInput): RunResult {
  const { scenario, collected, observer } = input;
  const analytics = collected.analytics;
  const aggregates: AggregateCounts = {
    total: analytics.total,
    byDeviceType: analytics.byDeviceType,
    byLocale: analytics.byLocale,
    byAppVersion: analytics.byAppVersion,
    invalid: analytics.invalid,
    records: analytics.records,
    duplicateRangesDropped: analytics.duplicateRangesDropped,
    dlqRecords: collected.dlq.total,
  };
  const latency = observer.latency.cumulative();
  const achievedPerSec = input.summary.achievedPerSec;
  const { lost, duplicated } = lostAndDuplicated(collected.recount, aggregates);
  const assertions: Assertion[] = [
    ...exactnessAssertions(input.ledger, collected.recount, aggregates, input.seedCounters),
    coverageAssertion(collected),
    ...(input.summary.failed > 0
      ? [
          {
            name: "sends with an unknown outcome",
            expected: "0",
            observed: String(input.summary.failed),
            pass: false,
            detail:
              "sends failed after the client's retries; their events may or may not be in the input topic, so the ledger cannot be exact",
          },
        ]
      : []),
    ...evaluateThresholds(scenario.thresholds, {
      maxLagOffsets: observer.maxLagOffsets,
      maxLagSeconds: observer.maxLagSeconds,
      drainMs: input.drainMs,
      targetPerSec: input.expectedTargetPerSec,
      achievedPerSec,
      p99Ms: latency.p99,
      lost,
      duplicated,
    }),
  ];
  const cpu = cpus();
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: { name: scenario.name, description: scenario.description },
    config: {
      seed: scenario.seed,
      profile: { kind: scenario.load.kind, description: describeLoad(scenario.load, scenario.durationMs) },
      durationMs: scenario.durationMs,
      partitions: scenario.topology.partitions,
      consumers: scenario.topology.consumers,
      brokers: scenario.topology.brokers,
      provider: input.provider,
      kraft: scenario.topology.kraft,
      malformed: scenario.malformed,
      windowMs: scenario.windowMs,
      thresholds: { ...scenario.thresholds },
    },
    environment: {
      hostname: hostname(),
      os: `${type()} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? "unknown",
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      kafkaVersion: KAFKA_VERSION,
      startedAt: input.startedAt.toISOString(),
      finishedAt: input.finishedAt.toISOString(),
    },
    verdict: assertions.every((a) => a.pass) ? "pass" : "fail",
    ledger: input.ledger,
    recount: collected.recount,
    aggregates,
    throughput: {
      targetPerSec: round(input.expectedTargetPerSec),
      achievedPerSec: round(achievedPerSec),
      aggregatedPerSec: round(
        (analytics.total + analytics.invalid) / Math.max(0.001, (input.loadMs + (input.drainMs ?? 0)) / 1000),
      ),
      sendDelayMs: observer.sendDelay.cumulative(),
      generatorBehind: observer.sendDelay.wasEverBehind(),
    },
    latency,
    lag: {
      maxOffsets: observer.maxLagOffsets,
      maxSeconds: round(observer.maxLagSeconds),
      drainMs: input.drainMs,
      finalStatus: observer.lastSnapshot?.lagStatus ?? "OK",
    },
    series: observer.series,
    assertions,
    faults: input.faults,
    ...(input.rateSearch ? { rateSearch: input.rateSearch } : {}),
    links: input.links,
  };
}

function coverageAssertion(collected: Collected): Assertion {
  const { gaps, overlaps, missingCoverage, conflictingDuplicates } = collected.analytics;
  const problems = [
    ...gaps.map((g) => `gap in ${g.topic}/${g.partition} between ${g.after} and ${g.before}`),
    ...overlaps.map((o) => `overlap in ${o.topic}/${o.partition}`),
    ...missingCoverage.map((m) => `offsets ${m.from}–${m.to} of ${m.topic}/${m.partition} never aggregated`),
    ...conflictingDuplicates.map(() => "a range published twice with different counts"),
    ...collected.unreadableAnalytics,
  ];
  return {
    name: "analytics cover every input offset exactly once",
    expected: "no gaps, overlaps or unreadable records",
    observed: problems.length === 0 ? "none" : `${problems.length} problem(s)`,
    pass: problems.length === 0,
    ...(problems.length > 0 ? { detail: problems.slice(0, 10).join("; ") } : {}),
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
