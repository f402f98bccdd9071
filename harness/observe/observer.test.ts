import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import { DeliveryRecorder } from "./delivery.ts";
import { LabMetrics } from "./lab-metrics.ts";
import type { PartitionLag } from "./lag-probe.ts";
import { type LagSource, Observer } from "./observer.ts";
import type { RecordTimestamps } from "./record-timestamps.ts";
import { Timeline } from "./timeline.ts";

const LOAD_START = 1_000_000;

function observer(
  probe: LagSource,
  timestamps: RecordTimestamps["timestampAt"],
  notMeasured?: { what: string; reason: string }[],
  prometheus?: PrometheusApi,
) {
  const clock = new ManualClock(LOAD_START);
  const inputStart = new Map([
    [0, 0n],
    [1, 0n],
  ]);
  const labMetrics = new LabMetrics();
  const delivery = new DeliveryRecorder({ inputTopic: "user-login", inputStart, labMetrics });
  const timeline = new Timeline({ brokerMetrics: prometheus !== undefined });
  const o = new Observer({
    ...(notMeasured ? { notMeasured } : {}),
    clock,
    loadStartMs: LOAD_START,
    inputStart,
    windowMs: 5_000,
    probe,
    recordTimestamps: { timestampAt: timestamps, stop: async () => {} },
    prometheus,
    labMetrics,
    delivery,
    timeline,
    targetRateAt: () => 1_000,
    memoryTargets: () => [],
  });
  return { o, clock, delivery, timeline };
}

const lag = (partition: number, position: bigint, lagOffsets: number): PartitionLag => ({
  partition,
  end: position + BigInt(lagOffsets),
  position,
  lag: lagOffsets,
  owned: true,
});

describe("Observer", () => {
  it("records a gap with the reason, and status UNKNOWN, when the probe hangs; it still returns within its bound", async () => {
    const { o, clock, timeline } = observer({ sample: () => new Promise(() => {}) }, async () => ({
      unknown: "n/a",
    }));
    clock.advance(15_000);
    const began = Date.now();
    const snapshot = await o.tick();
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(snapshot.lagOffsets).toBeNull();
    expect(snapshot.lagSeconds).toBeNull();
    expect(snapshot.lagStatus).toBe("UNKNOWN");
    expect(timeline.series.t).toEqual([15]);
    expect(timeline.series.lagOffsets).toEqual([null]);
    expect(timeline.series.lagOffsetsByPartition).toEqual({ "0": [null], "1": [null] });
    expect(timeline.series.gaps).toEqual([
      expect.objectContaining({
        what: "lag offsets",
        fromS: 15,
        reason: expect.stringContaining("the lag probe: no answer"),
      }),
      expect.objectContaining({ what: "lag seconds", fromS: 15 }),
    ]);
  });

  it("never reads lag in seconds as 0.0 while offsets wait: the record timestamp stands in for an unknown due time", async () => {
    // The case: 40,075 offsets behind at 50 s, the events at the committed offsets sent with an
    // unknown outcome, so the driver has no due time for them.
    const { o, clock, timeline } = observer(
      { sample: async () => [lag(0, 100n, 40_000), lag(1, 50n, 75)] },
      async (partition) => LOAD_START + (partition === 0 ? 20_000 : 45_000),
    );
    clock.advance(50_000);
    const snapshot = await o.tick();
    expect(snapshot.lagOffsets).toBe(40_075);
    expect(snapshot.lagSeconds).toBe(30);
    expect(timeline.series.gaps).toEqual([]);
  });

  it("makes lag in seconds a gap, not 0, when neither the due time nor the record timestamp is known", async () => {
    const { o, clock, timeline } = observer(
      { sample: async () => [lag(0, 100n, 40_000), lag(1, 50n, 0)] },
      async (_partition, offset) => ({
        unknown: `the record at offset ${offset} was not read within 500 ms`,
      }),
    );
    clock.advance(50_000);
    const snapshot = await o.tick();
    expect(snapshot.lagOffsets).toBe(40_000);
    expect(snapshot.lagSeconds).toBeNull();
    expect(timeline.series.lagSeconds).toEqual([null]);
    expect(timeline.series.gaps).toEqual([
      {
        what: "lag seconds",
        fromS: 50,
        toS: 50,
        samples: 1,
        reason: expect.stringContaining("partition 0: no due time for the oldest unconsumed event"),
      },
    ]);
    // Offsets were read, seconds never: the maximum says so rather than reading as a lag of 0 s.
    expect(timeline.maxLag).toEqual({ offsets: 40_000, seconds: null });
  });

  it("uses the driver's due time when it has one, and no record is fetched", async () => {
    let fetched = 0;
    const { o, clock, delivery } = observer(
      { sample: async () => [lag(0, 0n, 2), lag(1, 0n, 0)] },
      async () => {
        fetched += 1;
        return 0;
      },
    );
    delivery.onAck({
      partition: 0,
      baseOffset: "0",
      records: [0, 1].map((index) => ({
        dueTimeMs: LOAD_START + index,
        sentAtMs: LOAD_START + 5,
      })),
    });
    clock.advance(4_000);
    expect((await o.tick()).lagSeconds).toBe(4);
    expect(fetched).toBe(0);
  });

  it("counts an external driver's records from the topic, takes their timestamps as due times, and lists what it cannot measure", async () => {
    const reason = "an external driver reports no due times";
    const { o, clock, delivery, timeline } = observer(
      { sample: async () => [lag(0, 0n, 2), lag(1, 0n, 0)] },
      async () => 0,
      [{ what: "send delay", reason }],
    );
    delivery.onRecordSeen(0, 0n, LOAD_START + 500);
    delivery.onRecordSeen(0, 1n, LOAD_START + 600);
    clock.advance(2_000);
    const snapshot = await o.tick();
    expect(snapshot.achievedRate).toBe(1);
    expect(snapshot.lagSeconds).toBe(1.5);
    delivery.onAnalytics(
      {
        source: { topic: "user-login", partition: 0, from_offset: "0", to_offset: "1" },
        total: 2,
        invalid: 0,
      } as Parameters<DeliveryRecorder["onAnalytics"]>[0],
      LOAD_START + 2_500,
    );
    expect(delivery.totals().latency).toMatchObject({ count: 2, max: expect.closeTo(2_000, -1) });
    expect(timeline.series.gaps).toEqual([{ what: "send delay", fromS: 2, toS: 2, samples: 1, reason }]);
  });

  it("samples the lab's own memory every second", async () => {
    const { o, clock, timeline } = observer({ sample: async () => [] }, async () => 0);
    clock.advance(1_000);
    await o.tick();
    clock.advance(1_000);
    await o.tick();
    expect(timeline.series.memory?.lab?.rssMB).toHaveLength(2);
    expect(timeline.series.memory?.lab?.rssMB[0]).toBeGreaterThan(10);
    expect(timeline.series.memory?.lab?.heapUsedMB[1]).toBeGreaterThan(1);
  });

  it("makes a broker figure Prometheus answers NaN for a gap, not a reassuring 0", async () => {
    const nan = { query: async () => [{ labels: {}, value: Number.NaN }] } as unknown as PrometheusApi;
    const { o, clock, timeline } = observer({ sample: async () => [] }, async () => 0, undefined, nan);
    clock.advance(1_000);
    await o.tick();
    expect(timeline.series.brokerMessagesInRate).toEqual([null]);
    expect(timeline.series.underReplicatedPartitions).toEqual([null]);
    expect(timeline.series.cpuCores?.["broker-?"]).toEqual([null]);
    expect(timeline.series.gaps).toContainEqual(
      expect.objectContaining({
        what: "broker metrics",
        reason: expect.stringContaining("underReplicatedPartitions: Prometheus answered NaN"),
      }),
    );
  });
});
