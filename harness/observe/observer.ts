import { performance } from "node:perf_hooks";
import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { Clock } from "../core/clock.ts";
import type { Percentiles } from "../core/latency.ts";
import { IntervalLatencyRecorder } from "../core/latency.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import type { AckedTimes } from "../load/fleet-load.ts";
import { SendDelayTracker } from "../load/send-delay.ts";
import { BoundedCall } from "./bounded-call.ts";
import { CpuMeter, parseCpuSeconds } from "./cpu.ts";
import { GapLog } from "./gaps.ts";
import type { LabMetrics } from "./lab-metrics.ts";
import type { PartitionLag } from "./lag-probe.ts";
import { groupLagSeconds, type LagSecondsReading, lagSecondsOf } from "./lag-seconds.ts";
import { LagStatusTracker, worstStatus } from "./lag-status.ts";
import { type MemoryReading, ownMemory, parseProcessMemory, pushMemory, scrapeMetrics } from "./memory.ts";
import { OffsetTimes } from "./offset-times.ts";
import type { RecordTimestamps } from "./record-timestamps.ts";
import type { LagStatus, MemorySeries, Series } from "./types.ts";

/** One second of the run as the observer saw it; also what the progress line shows. */
export interface Snapshot {
  elapsedMs: number;
  targetRate: number;
  achievedRate: number;
  aggregatedRate: number;
  /** Null when the lag could not be measured this second. */
  lagOffsets: number | null;
  lagSeconds: number | null;
  lagStatus: LagStatus;
  latencyP99Ms: number;
  /** p99 over the run so far: the last second often has no window committed in it. */
  latencyP99RunMs: number;
  sendDelayP99Ms: number;
  partitions: PartitionLag[];
  /** Cores each process used this second, by series key; null where it could not be read. */
  cpuCores: Record<string, number | null>;
  /** Share of the second the lab's sending thread was busy. */
  driverThreadBusy: number;
}

const BROKER_QUERIES = {
  brokerMessagesInRate: 'sum(rate(kafka_server_brokertopicmetrics_messagesin_total{topic=""}[5s]))',
  brokerBytesInRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic=""}[5s]))',
  brokerBytesOutRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesout_total{topic=""}[5s]))',
  // Each broker's latest sample within 5 s: under load one scrape of a broker's exporter can time out, and a
  // plain sum would then leave that broker's URP out and read a false 0.
  underReplicatedPartitions: "sum(last_over_time(kafka_server_replicamanager_underreplicatedpartitions[5s]))",
} as const;
type BrokerKey = keyof typeof BROKER_QUERIES;
/** Cores each broker used, from the JMX exporter's process metrics. */
const BROKER_CPU_QUERY = 'sum by (broker_id) (rate(process_cpu_seconds_total{job="kafka"}[5s]))';

/** Each call a sample makes answers within this, so that a second's sample ends within the second. */
const CALL_TIMEOUT_MS = 800;
/** The lag probe's own calls are bounded at 800 ms each; this is the bound on the whole sample. */
const LAG_PROBE_TIMEOUT_MS = 1_000;
/** Reading one record's timestamp may take a fetch round trip or two. */
const RECORD_TIMESTAMP_TIMEOUT_MS = 500;

/** Something lag is read from: the admin API in a run, a stand-in in tests. */
export interface LagSource {
  sample(): Promise<PartitionLag[]>;
}

/**
 * Everything the run measures, on one clock: the ledger's acks (achieved rate, send delay, due times by
 * offset), the analytics seen committed (aggregated rate, end-to-end latency), and once a second the
 * group's lag, the broker's metrics and the memory of the lab and its aggregators. A figure it cannot
 * measure in a second is null there, with the reason in `gaps`: never a 0 or an OK it did not see.
 */
export class Observer {
  readonly offsetTimes = new OffsetTimes();
  readonly sendDelay = new SendDelayTracker();
  readonly latency = new IntervalLatencyRecorder();
  readonly series: Series;
  readonly gaps = new GapLog();
  readonly memory: Record<string, MemorySeries> = {};
  readonly cpuCores: Record<string, (number | null)[]> = {};
  private readonly cpuMeter = new CpuMeter();
  private eventLoop = performance.eventLoopUtilization();
  maxLagOffsets = 0;
  maxLagSeconds = 0;
  acked = 0;
  lastSnapshot: Snapshot | undefined;
  private readonly lagStatus: LagStatusTracker;
  private readonly lagCall: BoundedCall<PartitionLag[]>;
  private ackedThisTick = 0;
  private aggregatedThisTick = 0;
  private dlqThisTick = 0;
  private lastTickMs: number;

  constructor(
    private readonly options: {
      clock: Clock;
      loadStartMs: number;
      inputTopic: string;
      inputStart: Map<number, bigint>;
      windowMs: number;
      probe: LagSource;
      recordTimestamps: RecordTimestamps;
      prometheus: PrometheusApi | undefined;
      labMetrics: LabMetrics;
      targetRateAt: (elapsedMs: number) => number;
      /** The aggregators' /metrics addresses by name (`consumer-0`), read for their memory. */
      memoryTargets: () => { name: string; address: string }[];
      /** Figures the run cannot measure in any second (an external driver's send delay), with why. */
      notMeasured?: { what: string; reason: string }[];
      /** Each second's per-partition lag, for a reader of its own (the stall tracker). */
      onPartitions?: (elapsedMs: number, partitions: PartitionLag[]) => void;
    },
  ) {
    this.lastTickMs = options.loadStartMs;
    // The probe bounds each of its calls; this bounds the whole, whatever probe is given.
    this.lagCall = new BoundedCall("the lag probe", () => options.probe.sample(), LAG_PROBE_TIMEOUT_MS);
    // Burrow needs several commits in its window; the aggregator commits once per window.
    this.lagStatus = new LagStatusTracker({
      windowMs: Math.max(30_000, options.windowMs * 5),
      allowedLag: 0,
      staleAfterMs: 2_500,
    });
    this.series = {
      t: [],
      targetRate: [],
      achievedRate: [],
      aggregatedRate: [],
      dlqRate: [],
      lagOffsets: [],
      lagOffsetsByPartition: {},
      lagSeconds: [],
      lagStatus: [],
      latencyP50Ms: [],
      latencyP99Ms: [],
      sendDelayP99Ms: [],
      ...(options.prometheus
        ? {
            brokerMessagesInRate: [],
            brokerBytesInRate: [],
            brokerBytesOutRate: [],
            underReplicatedPartitions: [],
          }
        : {}),
      gaps: this.gaps.gaps,
      memory: this.memory,
      cpuCores: this.cpuCores,
      driverThreadBusy: [],
    };
  }

  /** Called for every acknowledged batch on the driver's thread: its work per record is kept to a few calls. */
  onAck = (ack: AckedTimes): void => {
    this.offsetTimes.setAll(ack.partition, BigInt(ack.baseOffset), ack.records);
    for (const record of ack.records) {
      const delay = Math.max(0, record.sentAtMs - record.dueTimeMs);
      this.sendDelay.record(delay);
      this.options.labMetrics.sendDelay.observe(delay / 1000);
    }
    this.acked += ack.records.length;
    this.ackedThisTick += ack.records.length;
  };

  /**
   * A record an external driver wrote, seen in the input topic: its broker timestamp stands in for the due
   * time such a driver does not report. No send delay is recorded, as nothing says when it was due.
   */
  onRecordSeen = (partition: number, offset: bigint, timestampMs: number): void => {
    this.offsetTimes.set(partition, offset, timestampMs);
    this.acked += 1;
    this.ackedThisTick += 1;
  };

  onAnalytics = (record: AnalyticsRecord, seenAtMs: number): void => {
    const { source } = record;
    if (source.topic !== this.options.inputTopic) return;
    if (BigInt(source.from_offset) < (this.options.inputStart.get(source.partition) ?? 0n)) return;
    this.aggregatedThisTick += record.total + record.invalid;
    this.dlqThisTick += record.invalid;
    this.offsetTimes.forEachInRange(
      source.partition,
      BigInt(source.from_offset),
      BigInt(source.to_offset),
      (due) => this.latency.record(seenAtMs - due),
    );
  };

  /** Takes one sample: call once a second. Every call it makes is bounded, so it returns within the second. */
  async tick(): Promise<Snapshot> {
    const { clock, labMetrics } = this.options;
    const [partitions, broker, processes, brokerCpu] = await Promise.all([
      this.lagCall.run().then((lag) => (lag.ok ? lag.value : this.allUnknown(lag.reason))),
      this.brokerSample(),
      this.processSample(),
      this.brokerCpuSample(),
    ]);
    const now = clock.now();
    const seconds = Math.max(0.001, (now - this.lastTickMs) / 1000);
    this.lastTickMs = now;
    const elapsedMs = now - this.options.loadStartMs;
    const t = Math.round(elapsedMs / 100) / 10;
    this.options.onPartitions?.(elapsedMs, partitions);

    const statuses: LagStatus[] = [];
    let lagOffsets: number | null = 0;
    let unknownLag = "";
    for (const p of partitions) {
      if (p.lag === null || p.position === null) {
        lagOffsets = null;
        unknownLag ||= `partition ${p.partition}: ${p.unknown ?? "not measured"}`;
        statuses.push("UNKNOWN");
        continue;
      }
      if (lagOffsets !== null) lagOffsets += p.lag;
      this.lagStatus.record(p.partition, {
        atMs: now,
        committedOffset: Number(p.position),
        lag: p.lag,
        ...(p.owned === undefined ? {} : { owned: p.owned }),
      });
      labMetrics.lagOffsets.set({ partition: String(p.partition) }, p.lag);
      // Keep one chunk below the committed offset: the analytics tail may still need those due times.
      this.offsetTimes.forgetBelow(p.partition, p.position - 65_536n);
    }
    const measured = new Set(partitions.filter((p) => p.lag !== null).map((p) => p.partition));
    statuses.push(
      ...this.lagStatus
        .evaluate(now)
        .partitions.filter((p) => measured.has(p.partition))
        .map((p) => p.status),
    );
    const lagStatus = worstStatus(statuses);
    const lagSeconds = await this.lagSeconds(partitions, now);
    this.note("lag offsets", t, lagOffsets === null ? unknownLag : undefined);
    this.note("lag seconds", t, lagSeconds.seconds === null ? lagSeconds.reason : undefined);
    for (const { what, reason } of this.options.notMeasured ?? []) this.note(what, t, reason);
    if (lagOffsets !== null) this.maxLagOffsets = Math.max(this.maxLagOffsets, lagOffsets);
    if (lagSeconds.seconds !== null) this.maxLagSeconds = Math.max(this.maxLagSeconds, lagSeconds.seconds);

    const cores = new Map<string, number | null>([
      ...processes.map(
        ({ name, cpuSeconds }) =>
          [name, cpuSeconds === null ? null : this.cpuMeter.cores(name, cpuSeconds, now)] as const,
      ),
      ...brokerCpu.cores,
    ]);
    const eventLoop = performance.eventLoopUtilization(this.eventLoop);
    this.eventLoop = performance.eventLoopUtilization();
    const latency: Percentiles = this.latency.rollInterval();
    const sendDelay: Percentiles = this.sendDelay.rollInterval();
    const snapshot: Snapshot = {
      elapsedMs,
      targetRate: this.options.targetRateAt(elapsedMs),
      achievedRate: this.ackedThisTick / seconds,
      aggregatedRate: this.aggregatedThisTick / seconds,
      lagOffsets,
      lagSeconds: lagSeconds.seconds,
      lagStatus,
      latencyP99Ms: latency.p99,
      latencyP99RunMs: this.latency.cumulative().p99,
      sendDelayP99Ms: sendDelay.p99,
      partitions,
      cpuCores: Object.fromEntries(cores),
      driverThreadBusy: eventLoop.utilization,
    };
    const s = this.series;
    s.t.push(t);
    s.targetRate.push(round(snapshot.targetRate));
    s.achievedRate.push(round(snapshot.achievedRate));
    s.aggregatedRate.push(round(snapshot.aggregatedRate));
    s.dlqRate.push(round(this.dlqThisTick / seconds));
    s.lagOffsets.push(lagOffsets);
    for (const p of partitions) {
      const key = String(p.partition);
      const lags = s.lagOffsetsByPartition[key] ?? [];
      lags.push(p.lag);
      s.lagOffsetsByPartition[key] = lags;
    }
    s.lagSeconds.push(lagSeconds.seconds === null ? null : round(lagSeconds.seconds, 2));
    s.lagStatus.push(lagStatus);
    s.latencyP50Ms.push(latency.count > 0 ? round(latency.p50) : null);
    s.latencyP99Ms.push(latency.count > 0 ? round(latency.p99) : null);
    s.sendDelayP99Ms.push(round(sendDelay.p99, 2));
    if (broker) {
      for (const key of Object.keys(BROKER_QUERIES) as BrokerKey[]) {
        const value = broker.values[key];
        s[key]?.push(value === undefined ? null : round(value));
      }
      this.note("broker metrics", t, broker.unknown);
    }
    for (const { name, reading, unknown } of processes) {
      pushMemory(this.memory, name, s.t.length, reading);
      this.note(`memory of ${name}`, t, unknown);
    }
    for (const [name, series] of Object.entries(this.memory)) {
      if (series.rssMB.length < s.t.length) pushMemory(this.memory, name, s.t.length, null);
    }
    this.note("broker CPU", t, brokerCpu.unknown);
    for (const name of new Set([...cores.keys(), ...Object.keys(this.cpuCores)])) {
      const values = this.cpuCores[name] ?? [];
      while (values.length < s.t.length - 1) values.push(null);
      const value = cores.get(name);
      values.push(value === undefined || value === null ? null : round(value, 2));
      this.cpuCores[name] = values;
    }
    s.driverThreadBusy?.push(round(eventLoop.utilization, 2));
    labMetrics.targetRate.set(snapshot.targetRate);
    labMetrics.achievedRate.set(snapshot.achievedRate);
    if (lagSeconds.seconds !== null) labMetrics.lagSeconds.set(lagSeconds.seconds);
    this.ackedThisTick = 0;
    this.aggregatedThisTick = 0;
    this.dlqThisTick = 0;
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  private note(what: string, t: number, unknown: string | undefined): void {
    if (unknown === undefined) this.gaps.measured(what);
    else this.gaps.add(what, t, unknown);
  }

  private allUnknown(reason: string): PartitionLag[] {
    return [...this.options.inputStart.keys()].map((partition) => ({
      partition,
      end: null,
      position: null,
      lag: null,
      owned: undefined,
      unknown: reason,
    }));
  }

  /** The age of the oldest unconsumed event of each partition with a backlog, by due time or record timestamp. */
  private async lagSeconds(partitions: PartitionLag[], now: number) {
    const readings = await Promise.all(
      partitions.map(async (p): Promise<{ partition: number; reading: LagSecondsReading }> => {
        if (p.lag === null || p.position === null) {
          return {
            partition: p.partition,
            reading: { seconds: null, reason: p.unknown ?? "lag not measured" },
          };
        }
        const dueTimeMs = p.lag > 0 ? this.offsetTimes.get(p.partition, p.position) : undefined;
        const recordTimestampMs =
          p.lag > 0 && dueTimeMs === undefined
            ? await this.options.recordTimestamps.timestampAt(
                p.partition,
                p.position,
                RECORD_TIMESTAMP_TIMEOUT_MS,
              )
            : { unknown: "not needed" };
        return {
          partition: p.partition,
          reading: lagSecondsOf(now, { lagOffsets: p.lag, dueTimeMs, recordTimestampMs }),
        };
      }),
    );
    return groupLagSeconds(readings);
  }

  private async brokerSample(): Promise<
    { values: Partial<Record<BrokerKey, number>>; unknown: string | undefined } | undefined
  > {
    const { prometheus } = this.options;
    if (!prometheus) return undefined;
    const problems: string[] = [];
    const entries = await Promise.all(
      (Object.entries(BROKER_QUERIES) as [BrokerKey, string][]).map(async ([key, expr]) => {
        try {
          const [sample] = await prometheus.query(expr, undefined, CALL_TIMEOUT_MS);
          if (sample === undefined) {
            problems.push(`${key}: Prometheus has no sample yet`);
            return [];
          }
          if (!Number.isFinite(sample.value)) {
            problems.push(`${key}: Prometheus answered ${sample.value}`);
            return [];
          }
          return [[key, sample.value] as const];
        } catch (error) {
          problems.push(`${key}: ${(error as Error).message}`);
          return [];
        }
      }),
    );
    return {
      values: Object.fromEntries(entries.flat()),
      unknown: problems.length > 0 ? problems.join("; ") : undefined,
    };
  }

  /** The memory and CPU seconds of the lab and of each aggregator (from its /metrics). */
  private async processSample(): Promise<
    { name: string; reading: MemoryReading | null; cpuSeconds: number | null; unknown: string | undefined }[]
  > {
    const aggregators = await Promise.all(
      this.options.memoryTargets().map(async ({ name, address }) => {
        try {
          const text = await scrapeMetrics(address, CALL_TIMEOUT_MS);
          return {
            name,
            reading: parseProcessMemory(text),
            cpuSeconds: parseCpuSeconds(text),
            unknown: undefined,
          };
        } catch (error) {
          return {
            name,
            reading: null,
            cpuSeconds: null,
            unknown: `${address}: ${(error as Error).message}`,
          };
        }
      }),
    );
    // Once every 10 s the lab collects its garbage before reading itself, so that each minute's floor is
    // what it keeps (the memory fit works on those floors). The lowest of six such readings a minute, not
    // of two: what happens to be alive at one collection moved a 3-minute fit by about 100 MB/h.
    const collect = this.series.t.length % 10 === 0;
    const { user, system } = process.cpuUsage();
    return [
      { name: "lab", reading: ownMemory(collect), cpuSeconds: (user + system) / 1e6, unknown: undefined },
      ...aggregators,
    ];
  }

  /** Cores each broker used over the last seconds, by `broker-<id>`, from Prometheus. */
  private async brokerCpuSample(): Promise<{ cores: [string, number][]; unknown: string | undefined }> {
    const { prometheus } = this.options;
    if (!prometheus) return { cores: [], unknown: undefined };
    try {
      const samples = await prometheus.query(BROKER_CPU_QUERY, undefined, CALL_TIMEOUT_MS);
      if (samples.length === 0) return { cores: [], unknown: "Prometheus has no broker CPU sample yet" };
      return {
        cores: samples.map((sample) => [`broker-${sample.labels.broker_id ?? "?"}`, sample.value]),
        unknown: undefined,
      };
    } catch (error) {
      return { cores: [], unknown: (error as Error).message };
    }
  }
}

/** Null for a value that is not a number (a NaN from Prometheus): a gap, never a reassuring 0. */
function round(value: number, digits = 1): number | null {
  const factor = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * factor) / factor : null;
}
