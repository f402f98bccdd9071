import { describe, expect, it } from "vitest";
import { EMPTY_PERCENTILES } from "../core/latency.ts";
import type { FaultRecord } from "../faults/types.ts";
import type { Sample } from "./sample.ts";
import { Timeline, type TimelineEvent } from "./timeline.ts";

function sample(t: number, overrides: Partial<Sample> = {}): Sample {
  return {
    elapsedMs: t * 1000,
    t,
    targetRate: 100,
    achievedRate: 99.96,
    aggregatedRate: 0,
    dlqRate: 0,
    lagOffsets: 5,
    lagSeconds: 0.123,
    lagStatus: "OK",
    latency: EMPTY_PERCENTILES,
    latencyP99Ms: 0,
    latencyP99RunMs: 0,
    sendDelay: EMPTY_PERCENTILES,
    sendDelayP99Ms: 0,
    generatorBehind: false,
    partitions: [{ partition: 0, end: 10n, position: 5n, lag: 5, owned: true }],
    broker: undefined,
    memory: [{ name: "lab", reading: { rssBytes: 100 * 2 ** 20, heapUsedBytes: 20 * 2 ** 20 } }],
    cpuCores: { lab: 0.123 },
    driverThreadBusy: 0.5,
    notes: [{ what: "lag offsets", gap: undefined }],
    ...overrides,
  };
}

const fault = (atMs: number, target: string): FaultRecord => ({ atMs, action: "kill", target });

describe("Timeline", () => {
  it("tells a subscriber every sample, fault and phase in the order they were recorded, until it unsubscribes", () => {
    const timeline = new Timeline({ brokerMetrics: false });
    const seen: TimelineEvent["kind"][] = [];
    const unsubscribe = timeline.subscribe((event) => seen.push(event.kind));
    timeline.recordPhase("load", 0);
    timeline.recordSample(sample(1));
    timeline.recordFault(fault(1_500, "broker:1"));
    timeline.recordGap("every figure", 2, "boom");
    unsubscribe();
    timeline.recordPhase("drain", 3_000);
    expect(seen).toEqual(["phase", "sample", "fault", "gap"]);
    expect(timeline.phases.map((p) => p.phase)).toEqual(["load", "drain"]);
  });

  it("keeps recording, and telling the other subscribers, when one throws", () => {
    const errors: unknown[] = [];
    const timeline = new Timeline({ brokerMetrics: false }, (error) => errors.push(error));
    const seen: number[] = [];
    timeline.subscribe(() => {
      throw new Error("a broken reader");
    });
    timeline.subscribe((event) => {
      if (event.kind === "sample") seen.push(event.sample.t);
    });
    timeline.recordSample(sample(1));
    timeline.recordSample(sample(2));
    expect(seen).toEqual([1, 2]);
    expect(timeline.series.t).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
  });

  it("lets a subscriber unsubscribe while it is being told, without skipping the others", () => {
    const timeline = new Timeline({ brokerMetrics: false });
    const seen: string[] = [];
    const first = timeline.subscribe(() => {
      seen.push("first");
      first();
    });
    timeline.subscribe(() => seen.push("second"));
    timeline.recordPhase("load", 0);
    timeline.recordPhase("drain", 1);
    expect(seen).toEqual(["first", "second", "second"]);
  });

  it("builds the series from the samples, rounded, with nulls and gaps where a figure was not measured", () => {
    const timeline = new Timeline({ brokerMetrics: true });
    timeline.recordSample(
      sample(1, {
        broker: {
          brokerMessagesInRate: 12.34,
          brokerBytesInRate: null,
          brokerBytesOutRate: Number.NaN,
          underReplicatedPartitions: 0,
        },
      }),
    );
    timeline.recordSample(
      sample(2, {
        lagOffsets: null,
        lagSeconds: null,
        lagStatus: "UNKNOWN",
        partitions: [{ partition: 0, end: null, position: null, lag: null, owned: undefined }],
        broker: {
          brokerMessagesInRate: null,
          brokerBytesInRate: null,
          brokerBytesOutRate: null,
          underReplicatedPartitions: null,
        },
        memory: [{ name: "lab", reading: null }],
        cpuCores: { lab: null, "consumer-0": 0.5 },
        notes: [{ what: "lag offsets", gap: "partition 0: no answer" }],
      }),
    );
    const { series } = timeline;
    expect(series.achievedRate).toEqual([100, 100]);
    expect(series.lagOffsets).toEqual([5, null]);
    expect(series.lagOffsetsByPartition).toEqual({ "0": [5, null] });
    expect(series.lagSeconds).toEqual([0.12, null]);
    expect(series.lagStatus).toEqual(["OK", "UNKNOWN"]);
    expect(series.brokerMessagesInRate).toEqual([12.3, null]);
    expect(series.brokerBytesOutRate).toEqual([null, null]);
    expect(series.underReplicatedPartitions).toEqual([0, null]);
    expect(series.memory?.lab?.rssMB).toEqual([100, null]);
    expect(series.cpuCores).toEqual({ lab: [0.12, null], "consumer-0": [null, 0.5] });
    expect(series.gaps).toEqual([
      { what: "lag offsets", fromS: 2, toS: 2, samples: 1, reason: "partition 0: no answer" },
    ]);
    expect(timeline.maxLag).toEqual({ offsets: 5, seconds: 0.123 });
    expect(timeline.lastSample?.lagStatus).toBe("UNKNOWN");
  });

  it("keeps faults in time order, a fault recorded when it is done going before later ones", () => {
    const timeline = new Timeline({ brokerMetrics: false });
    timeline.recordFault(fault(5_000, "broker:2"));
    timeline.recordFault(fault(2_000, "broker:1"));
    timeline.recordFault(fault(5_000, "broker:3"));
    expect(timeline.faults.map((f) => f.target)).toEqual(["broker:1", "broker:2", "broker:3"]);
  });

  it("has no last sample, and empty delivery totals, before anything was recorded", () => {
    const timeline = new Timeline({ brokerMetrics: false });
    expect(timeline.lastSample).toBeUndefined();
    expect(timeline.delivery.latency.count).toBe(0);
    expect(timeline.series.brokerMessagesInRate).toBeUndefined();
  });
});
