import { performance } from "node:perf_hooks";
import type { Clock } from "../core/clock.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import { type BrokerSample, BrokerSampler, brokerFiguresGap } from "./broker-sampler.ts";
import type { DeliveryRecorder } from "./delivery.ts";
import type { LabMetrics } from "./lab-metrics.ts";
import { type LagSample, LagSampler, type LagSource } from "./lag-sampler.ts";
import { type ProcessReading, ProcessSampler } from "./process-sampler.ts";
import type { RecordTimestamps } from "./record-timestamps.ts";
import type { Sample } from "./sample.ts";
import type { Timeline } from "./timeline.ts";

export type { LagSource } from "./lag-sampler.ts";

/**
 * Takes the run's sample once a second: the lag, the brokers and the processes from their samplers, the
 * second's deliveries, on one clock; and records it in the timeline. A figure it cannot measure in a
 * second is null there, with the reason noted as a gap: never a 0 or an OK it did not see.
 */
export class Observer {
  private readonly lag: LagSampler;
  private readonly broker: BrokerSampler | undefined;
  private readonly processes: ProcessSampler;
  private eventLoop = performance.eventLoopUtilization();
  private lastTickMs: number;

  constructor(
    private readonly options: {
      clock: Clock;
      loadStartMs: number;
      inputStart: Map<number, bigint>;
      windowMs: number;
      probe: LagSource;
      recordTimestamps: RecordTimestamps;
      prometheus: Pick<PrometheusApi, "query"> | undefined;
      labMetrics: LabMetrics;
      delivery: DeliveryRecorder;
      timeline: Timeline;
      targetRateAt: (elapsedMs: number) => number;
      /** The aggregators' /metrics addresses by name (`consumer-0`), read for their memory. */
      memoryTargets: () => { name: string; address: string }[];
      /** Figures the run cannot measure in any second (an external driver's send delay), with why. */
      notMeasured?: { what: string; reason: string }[];
    },
  ) {
    const { clock, probe, recordTimestamps, inputStart, windowMs, delivery, prometheus } = options;
    this.lastTickMs = options.loadStartMs;
    this.lag = new LagSampler({ clock, probe, recordTimestamps, inputStart, windowMs, dueTimes: delivery });
    this.broker = prometheus ? new BrokerSampler(prometheus) : undefined;
    this.processes = new ProcessSampler({ clock, targets: options.memoryTargets });
  }

  /** Takes one sample: call once a second. Every call it makes is bounded, so it returns within the second. */
  async tick(): Promise<Sample> {
    const { clock, timeline } = this.options;
    // Once every 10 s the lab collects its garbage before reading itself, so that each minute's floor is
    // what it keeps (the memory fit works on those floors). The lowest of six such readings a minute, not
    // of two: what happens to be alive at one collection moved a 3-minute fit by about 100 MB/h.
    const collect = timeline.series.t.length % 10 === 0;
    const [lag, broker, processes] = await Promise.all([
      this.lag.sample(),
      this.broker?.sample(),
      this.processes.sample(collect),
    ]);
    const now = clock.now();
    const seconds = Math.max(0.001, (now - this.lastTickMs) / 1000);
    this.lastTickMs = now;
    const sample = this.assemble(now - this.options.loadStartMs, seconds, lag, broker, processes);
    timeline.recordSample(sample);
    this.export(sample);
    return sample;
  }

  private assemble(
    elapsedMs: number,
    seconds: number,
    lag: LagSample,
    broker: BrokerSample | undefined,
    processes: ProcessReading[],
  ): Sample {
    const delivery = this.options.delivery.roll(seconds);
    const eventLoop = performance.eventLoopUtilization(this.eventLoop);
    this.eventLoop = performance.eventLoopUtilization();
    const brokerCpu: [string, number][] = broker?.cpu.ok ? broker.cpu.value : [];
    return {
      elapsedMs,
      t: Math.round(elapsedMs / 100) / 10,
      targetRate: this.options.targetRateAt(elapsedMs),
      achievedRate: delivery.achievedRate,
      aggregatedRate: delivery.aggregatedRate,
      dlqRate: delivery.dlqRate,
      lagOffsets: lag.offsets.ok ? lag.offsets.value : null,
      lagSeconds: lag.seconds.ok ? lag.seconds.value : null,
      lagStatus: lag.status,
      latency: delivery.latency,
      latencyP99Ms: delivery.latency.p99,
      latencyP99RunMs: delivery.latencyP99RunMs,
      sendDelay: delivery.sendDelay,
      sendDelayP99Ms: delivery.sendDelay.p99,
      generatorBehind: delivery.generatorBehind,
      partitions: lag.partitions,
      broker: broker && figuresOrNull(broker),
      memory: processes.map(({ name, memory }) => ({ name, reading: memory.ok ? memory.value : null })),
      cpuCores: Object.fromEntries([
        ...processes.map(({ name, cores }) => [name, cores] as const),
        ...brokerCpu,
      ]),
      driverThreadBusy: eventLoop.utilization,
      notes: this.notes(lag, broker, processes),
    };
  }

  /** Every figure tried this second, in the order the report's gaps have always listed them. */
  private notes(
    lag: LagSample,
    broker: BrokerSample | undefined,
    processes: ProcessReading[],
  ): Sample["notes"] {
    return [
      { what: "lag offsets", gap: lag.offsets.ok ? undefined : lag.offsets.reason },
      { what: "lag seconds", gap: lag.seconds.ok ? undefined : lag.seconds.reason },
      ...(this.options.notMeasured ?? []).map(({ what, reason }) => ({ what, gap: reason })),
      ...(broker ? [{ what: "broker metrics", gap: brokerFiguresGap(broker.figures) }] : []),
      ...processes.map(({ name, memory }) => ({
        what: `memory of ${name}`,
        gap: memory.ok ? undefined : memory.reason,
      })),
      { what: "broker CPU", gap: broker === undefined || broker.cpu.ok ? undefined : broker.cpu.reason },
    ];
  }

  /** The lab's own /metrics, so that a soak watched in Grafana shows what the lab measures. */
  private export(sample: Sample): void {
    const { labMetrics } = this.options;
    for (const p of sample.partitions) {
      if (p.lag !== null && p.position !== null)
        labMetrics.lagOffsets.set({ partition: String(p.partition) }, p.lag);
    }
    labMetrics.targetRate.set(sample.targetRate);
    labMetrics.achievedRate.set(sample.achievedRate);
    if (sample.lagSeconds !== null) labMetrics.lagSeconds.set(sample.lagSeconds);
  }
}

function figuresOrNull(broker: BrokerSample): Record<keyof BrokerSample["figures"], number | null> {
  const entries = Object.entries(broker.figures).map(([key, reading]) => [
    key,
    reading.ok ? reading.value : null,
  ]);
  return Object.fromEntries(entries) as Record<keyof BrokerSample["figures"], number | null>;
}
