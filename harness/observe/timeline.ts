import { EMPTY_PERCENTILES, type Percentiles } from "../core/latency.ts";
import type { FaultRecord } from "../faults/types.ts";
import { GapLog } from "./gaps.ts";
import { pushMemory } from "./memory.ts";
import type { BrokerFigure, Sample } from "./sample.ts";
import type { MemorySeries, Series } from "./types.ts";

/** The steps of a run, in order (see harness/run/runner.ts runOnStack). */
export type RunPhase =
  | "prepare"
  | "aggregators"
  | "driver"
  | "load"
  | "drain"
  | "settle"
  | "verify"
  | "result";

/** What the driver's acks and the analytics tail added up to over the whole run. */
export interface DeliveryTotals {
  /** End-to-end latency of every aggregate seen. */
  latency: Percentiles;
  sendDelay: Percentiles;
  /** The send delay of the phase a rate search holds, when one was started. */
  sendDelayPhase: Percentiles | undefined;
  /** Whether any second's send delay p99 was over 1 s. */
  generatorEverBehind: boolean;
}

export type TimelineEvent =
  | { kind: "sample"; sample: Sample }
  /** Seconds in which a figure was not measured outside any sample (a sample that failed as a whole). */
  | { kind: "gap"; what: string; t: number; reason: string }
  | { kind: "fault"; fault: FaultRecord }
  | { kind: "phase"; phase: RunPhase; atMs: number }
  | { kind: "delivery"; totals: DeliveryTotals };

export type TimelineListener = (event: TimelineEvent) => void;

const BROKER_FIGURES: readonly BrokerFigure[] = [
  "brokerMessagesInRate",
  "brokerBytesInRate",
  "brokerBytesOutRate",
  "underReplicatedPartitions",
];

/**
 * The run as it happened: every sample, gap, fault and phase change, recorded in order. The result and
 * every report read what it keeps (the series, the faults in time order, the highest lag, the last sample);
 * the progress line and a live view subscribe. A listener is called synchronously as each event is
 * recorded, and one that throws is reported to `onListenerError` and never stops the recording or the
 * other listeners.
 */
export class Timeline {
  private readonly listeners = new Set<TimelineListener>();
  private readonly gapLog = new GapLog();
  private readonly memory: Record<string, MemorySeries> = {};
  private readonly cpuCores: Record<string, (number | null)[]> = {};
  private readonly seriesData: Series;
  private readonly faultList: FaultRecord[] = [];
  private readonly phaseList: { phase: RunPhase; atMs: number }[] = [];
  private last: Sample | undefined;
  private totals: DeliveryTotals | undefined;
  private maxOffsets: number | null = null;
  private maxSeconds: number | null = null;

  constructor(
    options: { brokerMetrics: boolean },
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {
    this.seriesData = {
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
      ...(options.brokerMetrics ? Object.fromEntries(BROKER_FIGURES.map((key) => [key, []])) : {}),
      gaps: this.gapLog.gaps,
      memory: this.memory,
      cpuCores: this.cpuCores,
      driverThreadBusy: [],
    };
  }

  /** Calls `listener` with every event from now on; the function returned stops that. */
  subscribe(listener: TimelineListener): () => void {
    const own = (event: TimelineEvent) => listener(event);
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  recordSample(sample: Sample): void {
    this.appendSeries(sample);
    for (const { what, gap } of sample.notes) {
      if (gap === undefined) this.gapLog.measured(what);
      else this.gapLog.add(what, sample.t, gap);
    }
    if (sample.lagOffsets !== null) this.maxOffsets = Math.max(this.maxOffsets ?? 0, sample.lagOffsets);
    if (sample.lagSeconds !== null) this.maxSeconds = Math.max(this.maxSeconds ?? 0, sample.lagSeconds);
    this.last = sample;
    this.emit({ kind: "sample", sample });
  }

  recordGap(what: string, t: number, reason: string): void {
    this.gapLog.add(what, t, reason);
    this.emit({ kind: "gap", what, t, reason });
  }

  /** Faults are kept in time order: one recorded when it is done (a restart) goes before later ones. */
  recordFault(fault: FaultRecord): void {
    let at = this.faultList.length;
    while (at > 0 && (this.faultList[at - 1]?.atMs ?? 0) > fault.atMs) at -= 1;
    this.faultList.splice(at, 0, fault);
    this.emit({ kind: "fault", fault });
  }

  recordPhase(phase: RunPhase, atMs: number): void {
    this.phaseList.push({ phase, atMs });
    this.emit({ kind: "phase", phase, atMs });
  }

  recordDelivery(totals: DeliveryTotals): void {
    this.totals = totals;
    this.emit({ kind: "delivery", totals });
  }

  /** The per-second series as the report carries it; every array as long as `t`. */
  get series(): Series {
    return this.seriesData;
  }

  /** Every fault so far, in time order (a live view: the array grows as faults are recorded). */
  get faults(): readonly FaultRecord[] {
    return this.faultList;
  }

  get phases(): readonly { phase: RunPhase; atMs: number }[] {
    return this.phaseList;
  }

  get lastSample(): Sample | undefined {
    return this.last;
  }

  /** The highest lag sampled; null until one was measured (the series' gaps say why none was). */
  get maxLag(): { offsets: number | null; seconds: number | null } {
    return { offsets: this.maxOffsets, seconds: this.maxSeconds };
  }

  /** The run's delivery totals; empty ones until the run recorded them. */
  get delivery(): DeliveryTotals {
    return (
      this.totals ?? {
        latency: EMPTY_PERCENTILES,
        sendDelay: EMPTY_PERCENTILES,
        sendDelayPhase: undefined,
        generatorEverBehind: false,
      }
    );
  }

  private emit(event: TimelineEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private appendSeries(sample: Sample): void {
    const s = this.seriesData;
    s.t.push(sample.t);
    s.targetRate.push(round(sample.targetRate));
    s.achievedRate.push(round(sample.achievedRate));
    s.aggregatedRate.push(round(sample.aggregatedRate));
    s.dlqRate.push(round(sample.dlqRate));
    s.lagOffsets.push(sample.lagOffsets);
    for (const p of sample.partitions) {
      const key = String(p.partition);
      const lags = s.lagOffsetsByPartition[key] ?? [];
      lags.push(p.lag);
      s.lagOffsetsByPartition[key] = lags;
    }
    s.lagSeconds.push(sample.lagSeconds === null ? null : round(sample.lagSeconds, 2));
    s.lagStatus.push(sample.lagStatus);
    s.latencyP50Ms.push(sample.latency.count > 0 ? round(sample.latency.p50) : null);
    s.latencyP99Ms.push(sample.latency.count > 0 ? round(sample.latency.p99) : null);
    s.sendDelayP99Ms.push(round(sample.sendDelay.p99, 2));
    if (sample.broker) for (const key of BROKER_FIGURES) s[key]?.push(nullableRound(sample.broker[key]));
    this.appendProcesses(sample);
    s.driverThreadBusy?.push(round(sample.driverThreadBusy, 2));
  }

  private appendProcesses(sample: Sample): void {
    const length = this.seriesData.t.length;
    for (const { name, reading } of sample.memory) pushMemory(this.memory, name, length, reading);
    for (const [name, series] of Object.entries(this.memory)) {
      if (series.rssMB.length < length) pushMemory(this.memory, name, length, null);
    }
    for (const name of new Set([...Object.keys(sample.cpuCores), ...Object.keys(this.cpuCores)])) {
      const values = this.cpuCores[name] ?? [];
      while (values.length < length - 1) values.push(null);
      values.push(nullableRound(sample.cpuCores[name] ?? null, 2));
      this.cpuCores[name] = values;
    }
  }
}

/** Null for a value that is not a number (a NaN from Prometheus): a gap, never a reassuring 0. */
function round(value: number, digits = 1): number | null {
  const factor = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * factor) / factor : null;
}

function nullableRound(value: number | null, digits = 1): number | null {
  return value === null ? null : round(value, digits);
}
