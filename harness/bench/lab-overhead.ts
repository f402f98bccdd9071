import { randomBytes } from "node:crypto";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { defaultClient } from "../../pipeline/kafka/client-choice.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import { runProducer } from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { median } from "../core/stats.ts";
import { CountsBuilder } from "../load/ledger.ts";
import { DeliveryRecorder } from "../observe/delivery.ts";
import { LabMetrics } from "../observe/lab-metrics.ts";
import { LagProbe } from "../observe/lag-probe.ts";
import { Observer } from "../observe/observer.ts";
import { KafkaRecordTimestamps } from "../observe/record-timestamps.ts";
import { Timeline } from "../observe/timeline.ts";
import { BENCH_MALFORMED_KINDS } from "./aggregator.ts";
import { alternate, type Contender, summarise } from "./alternate.ts";
import type { BenchContext } from "./context.ts";
import { brokerlessObserver } from "./lab-memory.ts";

/** The aim: what the lab's own observing costs the driver, as a share of its achieved rate. */
export const OVERHEAD_AIM = 0.05;
export const OVERHEAD_PARTITIONS = 6;
export const LAB_OFF = "observers off";
export const LAB_ON = "observers on";
/** As the runner samples: once a second. */
const TICK_MS = 1_000;
const SEED = 1;
const MALFORMED_SHARE = 0.02;

export interface OverheadFigures {
  events: number;
  partitions: number;
  client: ClientName;
  /** The driver alone (with the ledger, which the verdict needs), and with the observers as a run has them. */
  off: Contender;
  /** `ratio` is on over off. */
  on: Contender;
  /** 1 − on/off, medians: the share of the driver's rate the observers cost. */
  overhead: number;
  /**
   * CPU time of the driver's process per event (µs, all its threads: the send loop, the event worker,
   * librdkafka's), off and on by round. Steadier than the rate on a shared machine: a neighbour's burst
   * slows a round but does not add to its CPU time per event.
   */
  cpu: { offMicrosPerEvent: number[]; onMicrosPerEvent: number[]; overhead: number };
  /**
   * The observer's own work per acknowledged event (µs), timed alone without Kafka on acks shaped like the
   * driver's: what "on" adds to every event, free of the machine's noise. Divided by the driver's CPU per
   * event unobserved, it is the overhead the rounds above cannot resolve when it is small.
   */
  observerMicrosPerEvent: number;
  aim: number;
}

/** What one round of the driver did. */
interface Drive {
  perSec: number;
  cpuMicrosPerEvent: number;
}

/**
 * The lab's own cost: the driver at full speed on a fresh topic, with and without what a run adds on the
 * driver's process — the observer fed every acknowledgement (due times per offset, send-delay tracker and
 * histogram), the lag probe and record timestamps sampled every second, the lab's Prometheus metrics —
 * alternating off and on. Both keep the ledger. No aggregator runs, so the broker does the same work in both.
 */
export async function benchOverhead(
  context: BenchContext,
  events: number,
  rounds: number,
): Promise<OverheadFigures> {
  const { stack, log } = context;
  const connection = stack.connection();
  const client = defaultClient();
  const runName = `bench-overhead-${randomBytes(4).toString("hex")}`;
  const admin = createKafka(connection, `${runName}-admin`).admin();
  await admin.connect();
  let samples: Map<typeof LAB_OFF | typeof LAB_ON, number[]>;
  const cpu = { [LAB_OFF]: [] as number[], [LAB_ON]: [] as number[] };
  try {
    samples = await alternate([LAB_OFF, LAB_ON], rounds, async (who, round) => {
      const topic = `${runName}-${who === LAB_ON ? "on" : "off"}-${round}`;
      await ensureTopics(admin, [{ topic, partitions: OVERHEAD_PARTITIONS, replicationFactor: 1 }]);
      log(`overhead: driver on ${client} with ${who}, ${events} events, round ${round} of ${rounds}…`);
      const { perSec, cpuMicrosPerEvent } =
        who === LAB_ON
          ? await driveObserved(context, topic, events, client)
          : await drive(context, topic, events, client);
      cpu[who].push(cpuMicrosPerEvent);
      log(
        `overhead: ${who}, round ${round}: ${Math.round(perSec)} events/s, ${cpuMicrosPerEvent.toFixed(2)} µs of CPU an event`,
      );
      return perSec;
    });
  } finally {
    await admin.disconnect();
  }
  log("overhead: the observer's work per acknowledged event, alone, without Kafka…");
  const observerMicrosPerEvent = observerCostPerEvent();
  const summary = summarise(samples, LAB_OFF);
  const off = summary.find((c) => c.name === LAB_OFF) as Contender;
  const on = summary.find((c) => c.name === LAB_ON) as Contender;
  return {
    events,
    partitions: OVERHEAD_PARTITIONS,
    client,
    off,
    on,
    overhead: 1 - on.ratio,
    cpu: {
      offMicrosPerEvent: cpu[LAB_OFF],
      onMicrosPerEvent: cpu[LAB_ON],
      overhead: median(cpu[LAB_ON]) / median(cpu[LAB_OFF]) - 1,
    },
    observerMicrosPerEvent,
    aim: OVERHEAD_AIM,
  };
}

/** Events per timed repetition of the observer alone, in acks of `ACK_RECORDS` as librdkafka batches them. */
const OBSERVER_EVENTS = 1_000_000;
const ACK_RECORDS = 500;
const OBSERVER_REPETITIONS = 5;

/** Median µs per event of the observer's `onAck` over acks of the bench's partitions, sampled once a second's worth. */
function observerCostPerEvent(): number {
  const timings: number[] = [];
  for (let repetition = 0; repetition < OBSERVER_REPETITIONS; repetition += 1) {
    const { delivery } = brokerlessObserver(OVERHEAD_PARTITIONS, { sample: async () => [] });
    const dueMs = Date.now();
    const records = Array.from({ length: ACK_RECORDS }, (_, i) => ({
      dueTimeMs: dueMs + i / 50,
      sentAtMs: dueMs + i / 50 + (i % 13) * 0.37,
    }));
    const started = process.hrtime.bigint();
    for (let ack = 0; ack < OBSERVER_EVENTS / ACK_RECORDS; ack += 1) {
      const partition = ack % OVERHEAD_PARTITIONS;
      const baseOffset = Math.floor(ack / OVERHEAD_PARTITIONS) * ACK_RECORDS;
      delivery.onAck({ partition, baseOffset: String(baseOffset), records });
    }
    timings.push(Number(process.hrtime.bigint() - started) / 1_000 / OBSERVER_EVENTS);
  }
  return median(timings);
}

async function drive(
  context: BenchContext,
  topic: string,
  events: number,
  client: ClientName,
  onAck: (ack: Parameters<DeliveryRecorder["onAck"]>[0]) => void = () => {},
): Promise<Drive> {
  const ledger = new CountsBuilder();
  const cpuBefore = process.cpuUsage();
  const run = await runProducer({
    client,
    connection: context.stack.connection(),
    topic,
    schedule: "max",
    stopAfter: { count: events },
    seed: SEED,
    malformed: MALFORMED_SHARE,
    malformedKinds: BENCH_MALFORMED_KINDS,
    onAck: (ack) => {
      for (const record of ack.records) ledger.addSent(record);
      onAck(ack);
    },
  });
  const { user, system } = process.cpuUsage(cpuBefore);
  if (run.acked !== events) throw new LabError("KAFKA", `the driver acked ${run.acked} of ${events} events`);
  return { perSec: run.achievedPerSec, cpuMicrosPerEvent: (user + system) / events };
}

/** `drive` with the observer wired as the runner wires it, sampled every second until the driver is done. */
async function driveObserved(
  context: BenchContext,
  topic: string,
  events: number,
  client: ClientName,
): Promise<Drive> {
  const connection = context.stack.connection();
  const partitions = Array.from({ length: OVERHEAD_PARTITIONS }, (_, p) => p);
  const inputStart = new Map(partitions.map((p) => [p, 0n]));
  const probe = new LagProbe(connection, `${topic}-group`, topic, inputStart);
  await probe.connect();
  const recordTimestamps = new KafkaRecordTimestamps(connection, topic, partitions);
  const labMetrics = new LabMetrics();
  const delivery = new DeliveryRecorder({ inputTopic: topic, inputStart, labMetrics });
  const loadStartMs = systemClock.now();
  const observer = new Observer({
    clock: systemClock,
    loadStartMs,
    inputStart,
    windowMs: 5_000,
    probe,
    recordTimestamps,
    prometheus: undefined,
    labMetrics,
    delivery,
    timeline: new Timeline({ brokerMetrics: false }),
    targetRateAt: () => 0,
    memoryTargets: () => [],
  });
  let done = false;
  const failures: string[] = [];
  const sampling = (async () => {
    while (!done) {
      await systemClock.sleep(TICK_MS - ((systemClock.now() - loadStartMs) % TICK_MS));
      // As in a run, a failed sample costs its second and the sampling goes on.
      if (!done) await observer.tick().catch((error: Error) => failures.push(error.message));
    }
  })();
  try {
    return await drive(context, topic, events, client, delivery.onAck);
  } finally {
    done = true;
    await sampling;
    await recordTimestamps.stop();
    await probe.disconnect();
    if (failures.length > 0)
      context.log(`overhead: ${failures.length} sample(s) failed, first: ${failures[0]}`);
  }
}
