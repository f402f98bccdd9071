/**
 * Test fixture, for the tests of the report writers and of what reads a result: a realistic RunResult of
 * a 60 s run at 500 events/s with a broker killed at 30 s and restarted at 40 s. Values are derived from the
 * second index, not from random numbers, so every test sees the same result.
 */
import { US_STATE_CODES } from "../../pipeline/events/us-states.ts";
import { describeLoad } from "../load/profile.ts";
import { type Assertion, type Counts, RESULT_SCHEMA_VERSION, type RunResult } from "../result/types.ts";
import { loadScenario } from "../scenario/registry.ts";

const SECONDS = 60;
const RATE = 500;
const FAULT_AT_S = 30;
const RESTART_AT_S = 40;

export interface SampleOptions {
  /** Make the latency assertion fail, and the verdict with it. */
  failAssertion?: boolean;
}

function spread(total: number, keys: readonly string[]): Map<string, number> {
  const base = Math.floor(total / keys.length);
  return new Map(keys.map((k, i) => [k, base + (i < total % keys.length ? 1 : 0)]));
}

function counts(total: number, invalid: number): Counts {
  const valid = total - invalid;
  return {
    total,
    valid,
    invalid,
    byDeviceType: new Map([
      ["android", Math.ceil(valid / 2)],
      ["iOS", Math.floor(valid / 2)],
    ]),
    byLocale: spread(valid, US_STATE_CODES),
    byAppVersion: new Map([["2.3.0", valid]]),
    invalidByReason: new Map([
      ["not_json", invalid - 40],
      ["bad_timestamp", 40],
    ]),
  };
}

function series(): RunResult["series"] {
  const t = Array.from({ length: SECONDS }, (_, i) => i);
  const down = (s: number) => s >= FAULT_AT_S && s < RESTART_AT_S;
  const wobble = (s: number) => ((s * 37) % 11) - 5;
  const lagSeconds = t.map((s) =>
    down(s) ? s - FAULT_AT_S + 0.6 : s >= RESTART_AT_S && s < 44 ? 44 - s : 0.6,
  );
  return {
    t,
    targetRate: t.map(() => RATE),
    achievedRate: t.map((s) => RATE + wobble(s)),
    aggregatedRate: t.map((s) =>
      down(s) ? 0 : s >= RESTART_AT_S && s < 44 ? RATE * 3.5 : RATE + wobble(s + 3),
    ),
    dlqRate: t.map((s) => (s % 10 === 0 ? 25 : 0)),
    lagOffsets: lagSeconds.map((l) => Math.round(l * RATE)),
    lagOffsetsByPartition: {
      "0": lagSeconds.map((l) => Math.round((l * RATE) / 2)),
      "1": lagSeconds.map((l) => Math.round((l * RATE) / 2)),
    },
    lagSeconds,
    lagStatus: t.map((s) => (down(s) ? (s > FAULT_AT_S + 5 ? "STALL" : "WARN") : "OK")),
    // Only the seconds in which a window committed have a latency, as in a real run.
    latencyP50Ms: t.map((s) => (s % 5 === 0 ? 2_600 + wobble(s) * 20 + (down(s) ? 4_000 : 0) : null)),
    latencyP99Ms: t.map((s) => (s % 5 === 0 ? 5_200 + wobble(s) * 30 + (down(s) ? 9_000 : 0) : null)),
    sendDelayP99Ms: t.map((s) => (s === FAULT_AT_S ? 180 : 3 + (s % 4))),
    brokerMessagesInRate: t.map((s) => RATE + wobble(s) + (s >= RESTART_AT_S && s < 44 ? RATE * 2 : 0)),
    brokerBytesInRate: t.map((s) => (RATE + wobble(s)) * 182),
    brokerBytesOutRate: t.map((s) => (down(s) ? 0 : (RATE + wobble(s)) * 182 * 2)),
    underReplicatedPartitions: t.map((s) => (down(s) ? 4 : 0)),
  };
}

/** An assertion on two counts, as the verifier writes one. */
function count(name: string, expected: number, observed: number): Assertion {
  return {
    name,
    relation: "=",
    expectedValue: expected,
    observedValue: observed,
    unit: "events",
    expected: String(expected),
    observed: String(observed),
    pass: expected === observed,
  };
}

function assertions(failAssertion: boolean): Assertion[] {
  const limit = failAssertion ? 5_000 : 20_000;
  return [
    count("no lost events", 0, 0),
    count("no duplicate counts", 0, 0),
    count("aggregates equal the ledger", 29_850, 29_850),
    {
      name: "e2e latency p99",
      relation: "≤",
      expectedValue: limit,
      observedValue: 14_212,
      unit: "ms",
      expected: `≤ ${limit} ms`,
      observed: "14212 ms",
      pass: !failAssertion,
      ...(failAssertion ? { detail: "latency rose while broker-2 was down & stayed <above> the limit" } : {}),
    },
    {
      name: "lag drained",
      relation: "≤",
      expectedValue: 30,
      observedValue: 4.1,
      unit: "s",
      expected: "≤ 30 s",
      observed: "4.1 s",
      pass: true,
    },
  ];
}

export function sampleResult(overrides: Partial<RunResult> = {}, options: SampleOptions = {}): RunResult {
  const failAssertion = options.failAssertion ?? false;
  const total = SECONDS * RATE;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: {
      name: "broker-kill",
      description: "Kill one of three brokers mid-run; counts must stay exact.",
    },
    config: {
      seed: 424242,
      profile: { kind: "constant", description: "500 events/s for 60s" },
      durationMs: SECONDS * 1_000,
      partitions: 6,
      consumers: 2,
      brokers: 3,
      provider: "local",
      kraft: true,
      malformed: 0.005,
      windowMs: 5_000,
      thresholds: { latencyP99Ms: failAssertion ? 5_000 : 20_000, drainMs: 30_000, exact: true },
    },
    environment: {
      hostname: "lab-host",
      os: "Linux 6.1.0 x64",
      cpus: 2,
      cpuModel: "Intel(R) Xeon(R) CPU @ 2.20GHz",
      memoryGiB: 7.8,
      node: "v20.19.4",
      kafkaVersion: "3.9.1",
      startedAt: "2026-11-25T17:30:00.000Z",
      finishedAt: "2026-11-25T17:31:12.000Z",
    },
    verdict: failAssertion ? "fail" : "pass",
    ledger: counts(total, 150),
    recount: counts(total, 150),
    aggregates: {
      total: total - 150,
      byDeviceType: counts(total, 150).byDeviceType,
      byLocale: counts(total, 150).byLocale,
      byAppVersion: counts(total, 150).byAppVersion,
      invalid: 150,
      invalidByReason: counts(total, 150).invalidByReason,
      records: 1_440,
      duplicateCopies: 0,
      dlqRecords: 150,
    },
    throughput: {
      targetPerSec: RATE,
      achievedPerSec: 499.2,
      aggregatedPerSec: 497.5,
      sendDelayMs: { count: total, p50: 0.8, p95: 2.1, p99: 4.9, p999: 180, max: 212, mean: 1.1 },
      generatorBehind: false,
    },
    latency: {
      count: total - 150,
      p50: 2_640,
      p95: 5_900,
      p99: 14_212,
      p999: 15_020,
      max: 15_480,
      mean: 3_150,
    },
    lag: { maxOffsets: 5_300, maxSeconds: 10.6, drainMs: 4_100, finalStatus: "OK" },
    series: series(),
    assertions: assertions(failAssertion),
    faults: [
      { atMs: FAULT_AT_S * 1_000, action: "kill", target: "broker-2", pid: 41_234, signal: "SIGKILL" },
      { atMs: RESTART_AT_S * 1_000, action: "restart", target: "broker-2", pid: 41_877 },
    ],
    links: {
      prometheus: "http://127.0.0.1:19090",
      grafana: "http://127.0.0.1:13000/d/lab/login-pipeline-lab",
    },
    ...overrides,
  };
}

/** A sample result saved as a baseline of `smoke` itself: the configuration a run of smoke is compared with. */
export async function smokeBaseline(description: string): Promise<RunResult> {
  const smoke = await loadScenario("smoke");
  const baseline = sampleResult({ scenario: { name: "smoke", description } });
  baseline.config = {
    ...baseline.config,
    profile: { kind: "constant", description: describeLoad(smoke.load, baseline.config.durationMs) },
    partitions: smoke.topology.partitions,
    consumers: smoke.topology.consumers,
    brokers: smoke.topology.brokers,
    windowMs: smoke.windowMs,
  };
  return baseline;
}
