import { cpus, hostname, totalmem, type } from "node:os";
import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import type { ProviderName } from "../infra/types.ts";
import { KAFKA_VERSION } from "../infra/versions.ts";
import { describeLoad } from "../load/profile.ts";
import type { AggregateCounts, Assertion, FaultRecord, RunResult } from "../result/types.ts";
import { RESULT_SCHEMA_VERSION } from "../result/types.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Collected } from "../verify/collect.ts";
import { exactnessAssertions, lostAndDuplicated, type SeedCounters } from "../verify/exactness.ts";
import type { CountsBuilder } from "../verify/ledger.ts";
import { evaluateThresholds } from "../verify/thresholds.ts";
import type { Observer } from "./observer.ts";

/** Everything a run measured and read back, turned into the one RunResult every report renders. */
export interface ResultInput {
  scenario: Scenario;
  provider: ProviderName;
  startedAt: Date;
  finishedAt: Date;
  ledger: ReturnType<CountsBuilder["build"]>;
  collected: Collected;
  seedCounters: SeedCounters | undefined;
  observer: Observer;
  summary: ProducerRun;
  loadMs: number;
  drainMs: number | null;
  faults: FaultRecord[];
  rateSearch: RunResult["rateSearch"];
  expectedTargetPerSec: number;
  links: RunResult["links"];
}

export function buildResult(input: ResultInput): RunResult {
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
  // A search run's headline is its hold: averaging the search steps in would describe no rate that ran.
  const hold = input.rateSearch?.hold;
  const achievedPerSec = hold ? hold.achievedPerSec : input.summary.achievedPerSec;
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
      loadClient: input.summary.client,
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
      sendDelayMs: (hold && observer.sendDelay.phase()) || observer.sendDelay.cumulative(),
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

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
