import { cpus, hostname, totalmem, type } from "node:os";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import { formatCount } from "../core/format.ts";
import { faultsAssertion } from "../faults/faults.ts";
import { type StopOutcome, stopAssertion } from "../infra/aggregators/stop-outcome.ts";
import type { ProviderName, UnexpectedExit } from "../infra/types.ts";
import { KAFKA_VERSION } from "../infra/versions.ts";
import type { FleetRun } from "../load/driver-fleet.ts";
import { driverLedgerAssertion } from "../load/driver-ledger.ts";
import type { ExternalDriverRun } from "../load/external-driver.ts";
import type { CountsBuilder } from "../load/ledger.ts";
import { describeLoad } from "../load/profile.ts";
import { faultFigures } from "../observe/fault-figures.ts";
import { memoryAssertions, memoryFigures } from "../observe/memory.ts";
import { spikeAssertion, spikeFigures } from "../observe/spike.ts";
import type { Timeline } from "../observe/timeline.ts";
import { urpRecovery, urpRecoveryAssertion } from "../observe/urp.ts";
import type { Scenario } from "../scenario/types.ts";
import { rangeBounds } from "../verify/analytics-ranges.ts";
import { brokerDeathsAssertion } from "../verify/broker-deaths.ts";
import type { Collected } from "../verify/collect.ts";
import { countAssertions, type FetchCounters, lostBeyondLag } from "../verify/count-assertions.ts";
import { checkDeadLetters, type DeadLetterCheck, deadLetterAssertion } from "../verify/dead-letters.ts";
import { driverExitAssertion } from "../verify/driver-exit.ts";
import { rangeAssertion } from "../verify/range-assertion.ts";
import { notYetAggregatedAssertion, rangeRecountAssertion } from "../verify/range-recount-assertion.ts";
import { readerAssertion } from "../verify/reader-agreement.ts";
import { evaluateThresholds } from "../verify/thresholds.ts";
import type { AggregateCounts, Assertion, RunResult } from "./types.ts";
import { RESULT_SCHEMA_VERSION } from "./types.ts";

/** Everything a run measured and read back, turned into the one RunResult every report renders. */
export interface ResultInput {
  scenario: Scenario;
  provider: ProviderName;
  startedAt: Date;
  finishedAt: Date;
  ledger: ReturnType<CountsBuilder["build"]>;
  collected: Collected;
  fetchCounters: FetchCounters | undefined;
  /** The run as it happened: its series, faults, highest lag, last sample and delivery totals. */
  timeline: Timeline;
  /** What the driver counted; an external driver names no client. */
  summary: Omit<ProducerRun, "client"> & { client?: ProducerRun["client"] };
  /** The command that drove the load instead of the lab's driver: the topic is then the ledger. */
  driverCommand?: string;
  loadMs: number;
  drainMs: number | null;
  rateSearch: RunResult["rateSearch"];
  expectedTargetPerSec: number;
  links: RunResult["links"];
}

export function buildResult(input: ResultInput): RunResult {
  const { scenario, collected, timeline } = input;
  const analytics = collected.analytics;
  const aggregates = aggregatesOf(collected);
  const { latency, sendDelay, sendDelayPhase, generatorEverBehind } = timeline.delivery;
  const maxLag = timeline.maxLag;
  // A search run's headline is its hold: averaging the search steps in would describe no rate that ran.
  const hold = input.rateSearch?.hold;
  const achievedPerSec = hold ? hold.achievedPerSec : input.summary.achievedPerSec;
  const deadLetters = checkDeadLetters(collected.invalidInputs, collected.dlq.letters);
  const assertions = [
    ...exactnessAssertions(input, aggregates, deadLetters),
    ...evaluateThresholds(scenario.thresholds, {
      maxLagOffsets: maxLag.offsets,
      maxLagSeconds: maxLag.seconds,
      drainMs: input.drainMs,
      targetPerSec: input.expectedTargetPerSec,
      achievedPerSec,
      p99Ms: latency.count === 0 ? null : latency.p99,
      ...lostBeyondLag(
        collected.recount,
        aggregates,
        deadLetters,
        rangeBounds(collected.analytics),
        collected.rangeRecount?.uncovered,
      ),
    }),
  ];
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: { name: scenario.name, description: scenario.description },
    config: configOf(input),
    environment: environmentOf(input),
    verdict: assertions.every((a) => a.pass) ? "pass" : "fail",
    ledger: input.driverCommand === undefined ? input.ledger : collected.recount,
    recount: collected.recount,
    aggregates,
    throughput: {
      targetPerSec: round(input.expectedTargetPerSec),
      achievedPerSec: round(achievedPerSec),
      aggregatedPerSec: round(
        (analytics.total + analytics.invalid) / Math.max(0.001, (input.loadMs + (input.drainMs ?? 0)) / 1000),
      ),
      sendDelayMs: (hold && sendDelayPhase) || sendDelay,
      generatorBehind: generatorEverBehind,
    },
    latency,
    lag: {
      maxOffsets: maxLag.offsets,
      maxSeconds: maxLag.seconds === null ? null : round(maxLag.seconds),
      drainMs: input.drainMs,
      finalStatus: timeline.lastSample?.lagStatus ?? "UNKNOWN",
    },
    series: timeline.series,
    assertions,
    faults: [...timeline.faults],
    ...(input.rateSearch ? { rateSearch: input.rateSearch } : {}),
    links: input.links,
  };
}

function aggregatesOf(collected: Collected): AggregateCounts {
  const analytics = collected.analytics;
  return {
    total: analytics.total,
    byDeviceType: analytics.byDeviceType,
    byLocale: analytics.byLocale,
    byAppVersion: analytics.byAppVersion,
    invalid: analytics.invalid,
    invalidByReason: analytics.invalidByReason,
    records: analytics.records,
    duplicateCopies: analytics.duplicateCopies,
    dlqRecords: collected.dlq.total,
  };
}

/** The checks that every event sent was counted once: counts, dead letters, ranges, readers, sends. */
function exactnessAssertions(
  input: ResultInput,
  aggregates: AggregateCounts,
  deadLetters: DeadLetterCheck,
): Assertion[] {
  const { collected } = input;
  const uncovered = collected.rangeRecount?.uncovered;
  const lateCheck = uncovered ? notYetAggregatedAssertion(uncovered, collected.committedUnknown) : undefined;
  return [
    ...countAssertions(
      input.driverCommand === undefined ? input.ledger : undefined,
      collected.recount,
      aggregates,
      input.fetchCounters,
    ),
    deadLetterAssertion(deadLetters),
    rangeAssertion(collected.analytics, collected.unreadableAnalytics, collected.committed),
    ...(collected.rangeRecount ? [rangeRecountAssertion(collected.rangeRecount)] : []),
    ...(lateCheck ? [lateCheck] : []),
    ...(collected.readers ? [readerAssertion(collected.readers)] : []),
    ...(input.summary.failed > 0 ? [unknownSendsAssertion(input.summary)] : []),
  ];
}

function unknownSendsAssertion(summary: ResultInput["summary"]): Assertion {
  return {
    name: "sends with an unknown outcome",
    relation: "=",
    expectedValue: 0,
    observedValue: summary.failed,
    unit: "sends",
    expected: "0",
    observed: formatCount(summary.failed),
    pass: false,
    detail:
      "sends failed after the client's retries; their events may or may not be in the input topic, so the ledger cannot be exact" +
      (summary.client === "kafkajs"
        ? ". The load ran on kafkajs, whose idempotent producer does not recover from a broker's loss (out of order sequence numbers until the end); build the librdkafka client (README, Prerequisites) or run with --client librdkafka"
        : ""),
  };
}

function configOf(input: ResultInput): RunResult["config"] {
  const { scenario } = input;
  return {
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
    ...(input.summary.client ? { loadClient: input.summary.client } : {}),
    ...(input.driverCommand === undefined
      ? {}
      : { driver: "external" as const, driverCommand: input.driverCommand }),
  };
}

function environmentOf(input: ResultInput): RunResult["environment"] {
  const cpu = cpus();
  return {
    hostname: hostname(),
    os: `${type()} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kafkaVersion: KAFKA_VERSION,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export interface ScenarioCheckInput {
  scenario: Scenario;
  timeline: Timeline;
  summary: ProducerRun | FleetRun | ExternalDriverRun;
  /** Driver processes of the lab's own (1 unless `--producers`). */
  producers: number;
  loadMs: number;
  /** Which aggregator ran, when it was not the pipeline's. */
  aggregatorCommand?: string;
  /** The pipeline aggregator's client, when the pipeline's own aggregator ran. */
  aggregatorClient?: ClientName;
  /** When Ctrl-C ended the load, from its start. */
  interruptedAtMs?: number;
  /** Stack processes that died unasked, where the stack watches them (see StartedStack.unexpectedExits). */
  deaths?: { exits: readonly UnexpectedExit[]; loadStartMs: number };
  /** How each aggregator ended at the end of the run. */
  stopOutcomes?: StopOutcome[];
  /** Whether every partition with a backlog made progress (see liveness.ts). */
  liveness?: Assertion;
}

/**
 * The checks a scenario's shape adds to the counts and thresholds of `buildResult`: the faults applied as
 * scheduled and what they did, memory growth, the spike's drain, under-replicated partitions back to 0, the
 * driver processes' ledgers and an external driver's exit; then the verdict over all of them.
 */
export function withScenarioChecks(result: RunResult, input: ScenarioCheckInput): RunResult {
  const { scenario, timeline, summary, interruptedAtMs } = input;
  const { series } = timeline;
  const memory = memoryFigures(series.t, series.memory ?? {}, input.loadMs / 1000);
  const maxGrowth = scenario.thresholds.maxMemoryGrowthMBPerHour;
  const { load } = scenario;
  const spike =
    load.kind === "spike"
      ? spikeFigures(series, load.atMs / 1000, (load.atMs + load.forMs) / 1000)
      : undefined;
  const faultsCheck = faultsAssertion(result.faults);
  const deathsCheck = input.deaths && brokerDeathsAssertion(input.deaths.exits, input.deaths.loadStartMs);
  const { assertions: faultChecks, ...byFault } = faultFigures(series, result.faults, scenario);
  const urpRows = urpRecovery(series, result.faults);
  const urpWithin = scenario.thresholds.urpZeroWithinMs;
  const urpCheck = urpWithin === undefined ? undefined : urpRecoveryAssertion(urpRows, urpWithin);
  const assertions = [
    ...result.assertions,
    ...(faultsCheck ? [faultsCheck] : []),
    ...(deathsCheck ? [deathsCheck] : []),
    ...(maxGrowth === undefined ? [] : memoryAssertions(memory, maxGrowth)),
    ...(spike ? [spikeAssertion(spike, scenario.drainTimeoutMs)] : []),
    ...faultChecks,
    ...(urpCheck ? [urpCheck] : []),
    ...("ledger" in summary ? [driverLedgerAssertion(summary.ledger, input.producers)] : []),
    ...("exit" in summary ? [driverExitAssertion(summary.exit)] : []),
    ...(input.stopOutcomes ? [stopAssertion(input.stopOutcomes)] : []),
    ...(input.liveness ? [input.liveness] : []),
  ];
  return {
    ...result,
    verdict:
      interruptedAtMs !== undefined ? "interrupted" : assertions.every((a) => a.pass) ? "pass" : "fail",
    config: {
      ...result.config,
      ...(input.aggregatorCommand ? { aggregatorCommand: input.aggregatorCommand } : {}),
      ...(input.aggregatorClient ? { aggregatorClient: input.aggregatorClient } : {}),
      loadProcesses: input.producers,
    },
    lag: { ...result.lag, finalStatus: timeline.lastSample?.lagStatus ?? "UNKNOWN" },
    memory,
    ...(spike ? { spike } : {}),
    ...byFault,
    ...(urpRows.length > 0 ? { urpRecovery: urpRows } : {}),
    assertions,
    ...(interruptedAtMs === undefined ? {} : { interruptedAtMs }),
  };
}
