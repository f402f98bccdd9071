import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { PartitionMetadata } from "kafkajs";
import type { OutgoingRecord, PartitionDelivery } from "../../pipeline/kafka/record-producer.ts";
import { constantRate } from "../../pipeline/producer/schedule.ts";
import { runSendLoop } from "../../pipeline/producer/send-loop.ts";
import { systemClock } from "../core/clock.ts";
import { slope } from "../core/stats.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { DeliveryRecorder } from "../observe/delivery.ts";
import { LabMetrics } from "../observe/lab-metrics.ts";
import type { PartitionLag } from "../observe/lag-probe.ts";
import { type LagSource, Observer } from "../observe/observer.ts";
import { Timeline } from "../observe/timeline.ts";

export interface LabMemoryFigures {
  events: number;
  /** Heap and off-heap buffers (typed arrays, Buffers) still in use after a full GC, per event, past the first sixth. */
  heapKeptBytesPerEvent: number;
  rssGrowthBytesPerEvent: number;
}

/** The aims the bench prints beside the figures: 130 B an event was the complaint; due times never forgotten would cost 8. */
export const LAB_MEMORY_AIM_BYTES_PER_EVENT = 3;
/** The scheduled send loop kept about 45 B an event before its fix. */
export const SCHEDULED_LOOP_AIM_BYTES_PER_EVENT = 10;
const RUN_EVENTS = 300_000;
const RUN_COMMIT_EVERY = 20_000;
const SCHEDULED_RATE_PER_SEC = 5_000;
const SCHEDULED_DURATION_MS = 8_000;

export interface LabMemoryBench {
  run: LabMemoryFigures;
  aimRunBytesPerEvent: number;
  scheduledSendLoopBytesPerEvent: number;
  scheduledRatePerSec: number;
  scheduledDurationMs: number;
  aimScheduledBytesPerEvent: number;
}

/**
 * `npm run bench -- --only lab-memory`: what the lab keeps per event, without Kafka. One partition, so that
 * the run spans several of the due-time chunks (65,536 offsets each).
 */
export async function benchLabMemory(log: (line: string) => void): Promise<LabMemoryBench> {
  log(`lab memory: ${RUN_EVENTS} events through the send loop, ledger and observer…`);
  const run = await measureLabMemory(RUN_EVENTS, { commitEvery: RUN_COMMIT_EVERY, partitions: 1 });
  log(
    `lab memory: the scheduled send loop at ${SCHEDULED_RATE_PER_SEC}/s for ${SCHEDULED_DURATION_MS / 1000} s…`,
  );
  const scheduled = await measureScheduledSendLoop(SCHEDULED_RATE_PER_SEC, SCHEDULED_DURATION_MS);
  return {
    run,
    aimRunBytesPerEvent: LAB_MEMORY_AIM_BYTES_PER_EVENT,
    scheduledSendLoopBytesPerEvent: scheduled,
    scheduledRatePerSec: SCHEDULED_RATE_PER_SEC,
    scheduledDurationMs: SCHEDULED_DURATION_MS,
    aimScheduledBytesPerEvent: SCHEDULED_LOOP_AIM_BYTES_PER_EVENT,
  };
}

/** Bytes per event, rounded to hundredths. */
function bytesPerEvent(points: [number, number][]): number {
  return Math.round(slope(points) * 100) / 100;
}

/** A full collection, so that what is measured is what is kept, not garbage not yet swept. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** The run's observer with nothing behind it but `probe`: no broker, no record timestamps, no Prometheus. */
export function brokerlessObserver(
  partitions: number,
  probe: LagSource,
): { observer: Observer; delivery: DeliveryRecorder; timeline: Timeline } {
  const inputStart = new Map(Array.from({ length: partitions }, (_, p) => [p, 0n]));
  const labMetrics = new LabMetrics();
  const delivery = new DeliveryRecorder({ inputTopic: "user-login", inputStart, labMetrics });
  const timeline = new Timeline({ brokerMetrics: false });
  const observer = new Observer({
    clock: systemClock,
    loadStartMs: systemClock.now(),
    inputStart,
    windowMs: 10_000,
    probe,
    recordTimestamps: {
      timestampAt: async () => ({ unknown: "not read in this bench" }),
      stop: async () => {},
    },
    prometheus: undefined,
    labMetrics,
    delivery,
    timeline,
    targetRateAt: () => 0,
    memoryTargets: () => [],
  });
  return { observer, delivery, timeline };
}

/**
 * What the lab keeps per event, without Kafka: the real send loop, ledger and observer, fed by a sender that
 * acknowledges at once and a group that commits everything acknowledged every `commitEvery` events. A
 * bounded lab keeps ~0 bytes per event however many go through; anything kept per event shows as a slope.
 */
export async function measureLabMemory(
  events: number,
  options: { commitEvery?: number; partitions?: number } = {},
): Promise<LabMemoryFigures> {
  const { commitEvery = 100_000, partitions: partitionCount = 6 } = options;
  const gc = collector();
  const ends = new Map<number, bigint>();
  const committed = new Map<number, bigint>();
  const probe = {
    sample: async (): Promise<PartitionLag[]> =>
      [...ends].map(([partition, end]) => {
        const position = committed.get(partition) ?? 0n;
        return { partition, end, position, lag: Number(end - position), owned: true };
      }),
  };
  const { observer, delivery } = brokerlessObserver(partitionCount, probe);
  const ledger = new CountsBuilder();
  const marks: { events: number; heap: number; rss: number }[] = [];
  let acked = 0;
  let nextCommit = commitEvery;
  const commit = async () => {
    for (const [partition, end] of ends) {
      const from = committed.get(partition) ?? 0n;
      if (end > from) {
        delivery.onAnalytics(
          {
            source: {
              topic: "user-login",
              partition,
              from_offset: String(from),
              to_offset: String(end - 1n),
            },
            total: Number(end - from),
            invalid: 0,
          } as Parameters<DeliveryRecorder["onAnalytics"]>[0],
          systemClock.now(),
        );
      }
      committed.set(partition, end);
    }
    await observer.tick();
    gc();
    gc();
    const { heapUsed, external, rss } = process.memoryUsage();
    marks.push({ events: acked, heap: heapUsed + external, rss });
  };
  const partitions = brokerlessPartitions(partitionCount);
  await runSendLoop(
    {
      schedule: "max",
      stopAfter: { count: events },
      seed: 1,
      malformed: 0.01,
      onAck: (ack) => {
        for (const record of ack.records) ledger.addSent(record);
        delivery.onAck(ack);
        acked += ack.records.length;
      },
    },
    {
      topic: "user-login",
      partitions,
      send: async (messages): Promise<PartitionDelivery[]> => {
        if (acked >= nextCommit) {
          nextCommit += commitEvery;
          await commit();
        }
        return appendToEnds(messages, ends);
      },
    },
  );
  await commit();
  const steady = marks.slice(Math.floor(marks.length / 6));
  if (steady.length < 3) throw new Error("too few commits to measure memory: give more events");
  return {
    events: acked,
    heapKeptBytesPerEvent: bytesPerEvent(steady.map((m) => [m.events, m.heap])),
    rssGrowthBytesPerEvent: bytesPerEvent(steady.map((m) => [m.events, m.rss])),
  };
}

/** Acknowledges every message at once, at the next offsets of its partition, and moves `ends` past them. */
function appendToEnds(messages: readonly OutgoingRecord[], ends: Map<number, bigint>): PartitionDelivery[] {
  const counts = new Map<number, number>();
  for (const m of messages) counts.set(m.partition as number, (counts.get(m.partition as number) ?? 0) + 1);
  return [...counts].map(([partition, n]) => {
    const base = ends.get(partition) ?? 0n;
    ends.set(partition, base + BigInt(n));
    return { partition, segments: [{ count: n, baseOffset: String(base) }] };
  });
}

/**
 * What the open-model send loop keeps per event when it runs on a schedule with an abort signal, as a run
 * does: every wait for the next due event used to leave a reaction on one long-lived promise.
 */
export async function measureScheduledSendLoop(ratePerSec: number, durationMs: number): Promise<number> {
  const gc = collector();
  const abort = new AbortController();
  let acked = 0;
  const marks: [number, number][] = [];
  const timer = setInterval(() => {
    gc();
    marks.push([acked, process.memoryUsage().heapUsed]);
  }, 1_000);
  const partitions = brokerlessPartitions(3);
  try {
    await runSendLoop(
      {
        schedule: constantRate(ratePerSec),
        stopAfter: { durationMs },
        seed: 1,
        signal: abort.signal,
        onAck: (ack) => {
          acked += ack.records.length;
        },
      },
      {
        topic: "user-login",
        partitions,
        send: async (messages) => {
          const counts = new Map<number, number>();
          for (const m of messages) counts.set(m.partition, (counts.get(m.partition) ?? 0) + 1);
          return [...counts].map(([partition, count]) => ({
            partition,
            segments: [{ count, baseOffset: "0" }],
          }));
        },
      },
    );
  } finally {
    clearInterval(timer);
  }
  return bytesPerEvent(marks.slice(Math.floor(marks.length / 4)));
}

/** Metadata of `count` partitions led by one broker that does not exist: the send loop runs without Kafka. */
function brokerlessPartitions(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
}
