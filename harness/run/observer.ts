import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import type { AckedBatch } from "../../pipeline/producer/producer.ts";
import type { Clock } from "../core/clock.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import { SendDelayTracker } from "../load/send-delay.ts";
import type { LabMetrics } from "../observe/lab-metrics.ts";
import { LagStatusTracker } from "../observe/lag-status.ts";
import { IntervalLatencyRecorder } from "../observe/latency.ts";
import type { LagStatus, Percentiles, Series } from "../result/types.ts";
import type { LagProbe, PartitionLag } from "./lag-probe.ts";
import { OffsetTimes } from "./offset-times.ts";

/** One second of the run as the observer saw it; also what the progress line shows. */
export interface Snapshot {
  elapsedMs: number;
  targetRate: number;
  achievedRate: number;
  aggregatedRate: number;
  lagOffsets: number;
  lagSeconds: number;
  lagStatus: LagStatus;
  latencyP99Ms: number;
  /** p99 over the run so far: the last second often has no window committed in it. */
  latencyP99RunMs: number;
  sendDelayP99Ms: number;
  partitions: PartitionLag[];
}

const BROKER_QUERIES = {
  brokerMessagesInRate: 'sum(rate(kafka_server_brokertopicmetrics_messagesin_total{topic=""}[5s]))',
  brokerBytesInRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic=""}[5s]))',
  brokerBytesOutRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesout_total{topic=""}[5s]))',
  underReplicatedPartitions: "sum(kafka_server_replicamanager_underreplicatedpartitions)",
} as const;

/**
 * Everything the run measures, on one clock: the ledger's acks (achieved rate, send delay, due times by
 * offset), the analytics seen committed (aggregated rate, end-to-end latency), and once a second the
 * group's lag and the broker's metrics. Keeps the per-second series and the whole-run figures.
 */
export class Observer {
  readonly offsetTimes = new OffsetTimes();
  readonly sendDelay = new SendDelayTracker();
  readonly latency = new IntervalLatencyRecorder();
  readonly series: Series;
  maxLagOffsets = 0;
  maxLagSeconds = 0;
  acked = 0;
  lastSnapshot: Snapshot | undefined;
  private readonly lagStatus: LagStatusTracker;
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
      probe: LagProbe;
      prometheus: PrometheusApi | undefined;
      labMetrics: LabMetrics;
      targetRateAt: (elapsedMs: number) => number;
    },
  ) {
    this.lastTickMs = options.loadStartMs;
    // Burrow needs several commits in its window; the aggregator commits once per window.
    this.lagStatus = new LagStatusTracker({
      windowMs: Math.max(30_000, options.windowMs * 5),
      allowedLag: 0,
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
    };
  }

  onAck = (ack: AckedBatch): void => {
    let offset = BigInt(ack.baseOffset);
    for (const record of ack.records) {
      this.offsetTimes.set(ack.partition, offset, record.dueTimeMs);
      const delay = Math.max(0, record.sentAtMs - record.dueTimeMs);
      this.sendDelay.record(delay);
      this.options.labMetrics.sendDelay.observe(delay / 1000);
      offset += 1n;
    }
    this.acked += ack.records.length;
    this.ackedThisTick += ack.records.length;
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

  /** Takes one sample: call once a second. */
  async tick(): Promise<Snapshot> {
    const { clock, probe, prometheus, labMetrics } = this.options;
    const [partitions, broker] = await Promise.all([probe.sample(), this.brokerSample(prometheus)]);
    const now = clock.now();
    const seconds = Math.max(0.001, (now - this.lastTickMs) / 1000);
    this.lastTickMs = now;
    const elapsedMs = now - this.options.loadStartMs;

    let lagOffsets = 0;
    let lagSeconds = 0;
    for (const p of partitions) {
      lagOffsets += p.lag;
      this.lagStatus.record(p.partition, {
        atMs: now,
        committedOffset: Number(p.position),
        lag: p.lag,
        owned: p.owned,
      });
      if (p.lag > 0) {
        const due = this.offsetTimes.get(p.partition, p.position);
        if (due !== undefined) lagSeconds = Math.max(lagSeconds, (now - due) / 1000);
      }
      labMetrics.lagOffsets.set({ partition: String(p.partition) }, p.lag);
      // Keep one chunk below the committed offset: the analytics tail may still need those due times.
      this.offsetTimes.forgetBelow(p.partition, p.position - 65_536n);
    }
    const lagStatus = this.lagStatus.evaluate(now).status;
    this.maxLagOffsets = Math.max(this.maxLagOffsets, lagOffsets);
    this.maxLagSeconds = Math.max(this.maxLagSeconds, lagSeconds);

    const latency: Percentiles = this.latency.rollInterval();
    const sendDelay: Percentiles = this.sendDelay.rollInterval();
    const snapshot: Snapshot = {
      elapsedMs,
      targetRate: this.options.targetRateAt(elapsedMs),
      achievedRate: this.ackedThisTick / seconds,
      aggregatedRate: this.aggregatedThisTick / seconds,
      lagOffsets,
      lagSeconds,
      lagStatus,
      latencyP99Ms: latency.p99,
      latencyP99RunMs: this.latency.cumulative().p99,
      sendDelayP99Ms: sendDelay.p99,
      partitions,
    };
    const s = this.series;
    s.t.push(Math.round(elapsedMs / 100) / 10);
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
    s.lagSeconds.push(round(lagSeconds, 2));
    s.lagStatus.push(lagStatus);
    s.latencyP50Ms.push(latency.count > 0 ? round(latency.p50) : null);
    s.latencyP99Ms.push(latency.count > 0 ? round(latency.p99) : null);
    s.sendDelayP99Ms.push(round(sendDelay.p99, 2));
    if (broker) {
      for (const key of Object.keys(BROKER_QUERIES) as (keyof typeof BROKER_QUERIES)[]) {
        s[key]?.push(round(broker[key] ?? 0));
      }
    }
    labMetrics.targetRate.set(snapshot.targetRate);
    labMetrics.achievedRate.set(snapshot.achievedRate);
    labMetrics.lagSeconds.set(lagSeconds);
    this.ackedThisTick = 0;
    this.aggregatedThisTick = 0;
    this.dlqThisTick = 0;
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  private async brokerSample(
    prometheus: PrometheusApi | undefined,
  ): Promise<Partial<Record<keyof typeof BROKER_QUERIES, number>> | undefined> {
    if (!prometheus) return undefined;
    const entries = await Promise.all(
      Object.entries(BROKER_QUERIES).map(async ([key, expr]) => {
        try {
          const [sample] = await prometheus.query(expr);
          return [key, sample?.value ?? 0] as const;
        } catch {
          return [key, 0] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * factor) / factor : 0;
}
