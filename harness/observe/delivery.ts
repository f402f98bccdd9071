import type { AnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { IntervalLatencyRecorder, type Percentiles } from "../core/latency.ts";
import type { AckedTimes } from "../load/fleet-load.ts";
import { SendDelayTracker } from "../load/send-delay.ts";
import type { LabMetrics } from "./lab-metrics.ts";
import { OffsetTimes } from "./offset-times.ts";
import type { DeliveryTotals } from "./timeline.ts";

/** What went through the pipeline in one second, per second of it. */
export interface DeliverySecond {
  achievedRate: number;
  aggregatedRate: number;
  dlqRate: number;
  latency: Percentiles;
  latencyP99RunMs: number;
  sendDelay: Percentiles;
  generatorBehind: boolean;
}

/**
 * What the driver's acknowledgements and the analytics tail say as they come: due times by offset, send
 * delay, end-to-end latency and the counts of each second. Built before the driver and the tail, so that
 * its handlers are theirs from the start.
 */
export class DeliveryRecorder {
  private readonly offsetTimes = new OffsetTimes();
  private readonly sendDelay = new SendDelayTracker();
  private readonly latency = new IntervalLatencyRecorder();
  private ackedThisSecond = 0;
  private aggregatedThisSecond = 0;
  private dlqThisSecond = 0;

  constructor(
    private readonly options: { inputTopic: string; inputStart: Map<number, bigint>; labMetrics: LabMetrics },
  ) {}

  /** Called for every acknowledged batch on the driver's thread: its work per record is kept to a few calls. */
  onAck = (ack: AckedTimes): void => {
    this.offsetTimes.setAll(ack.partition, BigInt(ack.baseOffset), ack.records);
    for (const record of ack.records) {
      const delay = Math.max(0, record.sentAtMs - record.dueTimeMs);
      this.sendDelay.record(delay);
      this.options.labMetrics.sendDelay.observe(delay / 1000);
    }
    this.ackedThisSecond += ack.records.length;
  };

  /**
   * A record an external driver wrote, seen in the input topic: its broker timestamp stands in for the due
   * time such a driver does not report. No send delay is recorded, as nothing says when it was due.
   */
  onRecordSeen = (partition: number, offset: bigint, timestampMs: number): void => {
    this.offsetTimes.set(partition, offset, timestampMs);
    this.ackedThisSecond += 1;
  };

  onAnalytics = (record: AnalyticsRecord, seenAtMs: number): void => {
    const { source } = record;
    if (source.topic !== this.options.inputTopic) return;
    if (BigInt(source.from_offset) < (this.options.inputStart.get(source.partition) ?? 0n)) return;
    this.aggregatedThisSecond += record.total + record.invalid;
    this.dlqThisSecond += record.invalid;
    this.offsetTimes.forEachInRange(
      source.partition,
      BigInt(source.from_offset),
      BigInt(source.to_offset),
      (due) => this.latency.record(seenAtMs - due),
    );
  };

  /** When the event at `offset` was due (or written, for an external driver), if still known. */
  dueTime(partition: number, offset: bigint): number | undefined {
    return this.offsetTimes.get(partition, offset);
  }

  /** Drops the due times below `offset`: the group has committed past them. */
  forgetBelow(partition: number, offset: bigint): void {
    this.offsetTimes.forgetBelow(partition, offset);
  }

  /** Starts the send delay of a phase of its own (a rate search's hold), right after a second closed. */
  startPhase(): void {
    this.sendDelay.startPhase();
  }

  /** Closes the second that lasted `seconds` and returns its figures; the next one starts empty. */
  roll(seconds: number): DeliverySecond {
    const latency = this.latency.rollInterval();
    const sendDelay = this.sendDelay.rollInterval();
    const second = {
      achievedRate: this.ackedThisSecond / seconds,
      aggregatedRate: this.aggregatedThisSecond / seconds,
      dlqRate: this.dlqThisSecond / seconds,
      latency,
      latencyP99RunMs: this.latency.cumulative().p99,
      sendDelay,
      generatorBehind: this.sendDelay.generatorBehind(),
    };
    this.ackedThisSecond = 0;
    this.aggregatedThisSecond = 0;
    this.dlqThisSecond = 0;
    return second;
  }

  /** The run's figures so far, the open second included. */
  totals(): DeliveryTotals {
    return {
      latency: this.latency.cumulative(),
      sendDelay: this.sendDelay.cumulative(),
      sendDelayPhase: this.sendDelay.phase(),
      generatorEverBehind: this.sendDelay.wasEverBehind(),
    };
  }
}
