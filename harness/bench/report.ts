import { formatCount } from "../core/format.ts";
import { median } from "../core/stats.ts";
import type { AggregatorFigures } from "./aggregator.ts";
import type { Contender } from "./alternate.ts";
import type { LabMemoryBench } from "./lab-memory.ts";
import type { OverheadFigures } from "./lab-overhead.ts";
import { GENERATOR_RECORDS, PRODUCER_PERFORMANCE, type ProducerFigures } from "./producer.ts";
import type { StartupFigures } from "./startup.ts";

export interface BenchFigures {
  startup?: StartupFigures[];
  producer?: ProducerFigures;
  aggregator?: AggregatorFigures;
  overhead?: OverheadFigures;
  labMemory?: LabMemoryBench;
}

export const TABLE_HEADERS = ["figure", "measured", "Kafka's tool, same run", "ratio", "aim", "met", "exact"];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const times = (x: number) => `${x.toFixed(2)}×`;
const mark = (ok: boolean) => (ok ? "✔" : "✘");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const range = (c: Contender) => `(${formatCount(c.minPerSec)}–${formatCount(c.maxPerSec)})`;
/** The aim: the lab's driver at least as fast as Kafka's own producer tool. */
export const DRIVER_AIM_RATIO = 1;

/** One short row per figure; verdicts are computed here from the figures, never typed in. */
export function benchRows(figures: BenchFigures): string[][] {
  const rows: string[][] = [];
  const startup = figures.startup ?? [];
  const oneBroker = startup.find((s) => s.brokers === 1);
  for (const s of startup) {
    rows.push([
      `start to ready, ${plural(s.brokers, "broker")}`,
      `${seconds(s.medianMs)} median`,
      "",
      s.brokers > 1 && oneBroker ? `${times(s.medianMs / oneBroker.medianMs)} 1 broker` : "",
      `< ${seconds(s.aimMs)}`,
      mark(s.medianMs < s.aimMs),
      "",
    ]);
  }
  for (const c of figures.producer?.cases ?? []) {
    const kafka = c.contenders.find((k) => k.name === PRODUCER_PERFORMANCE);
    for (const ours of c.contenders.filter((k) => k !== kafka)) {
      rows.push([
        `driver, ${ours.name}, ${plural(c.partitions, "partition")}`,
        `${formatCount(ours.medianPerSec)} ev/s ${range(ours)}`,
        kafka ? `ProducerPerformance ${formatCount(kafka.medianPerSec)} rec/s ${range(kafka)}` : "",
        times(ours.ratio),
        `≥ ${times(DRIVER_AIM_RATIO)}`,
        mark(ours.ratio >= DRIVER_AIM_RATIO),
        "",
      ]);
    }
  }
  if (figures.producer) rows.push(generatorRow(figures.producer));
  const aggregator = figures.aggregator;
  for (const c of aggregator?.cases ?? []) {
    const aim = aggregator?.aimRatio ?? Number.POSITIVE_INFINITY;
    rows.push([
      `aggregator on ${c.client}, ${plural(c.partitions, "partition")} × ${plural(c.consumers, "consumer")}`,
      `${formatCount(c.ours.medianPerSec)} ev/s ${range(c.ours)}`,
      `ConsumerPerformance ${formatCount(c.reference.medianPerSec)} msg/s ${range(c.reference)}`,
      times(c.ratio),
      `≥ ${times(aim)}`,
      mark(c.ratio >= aim),
      mark(c.problems.length === 0),
    ]);
  }
  rows.push(...overheadRows(figures.overhead), ...labMemoryRows(figures.labMemory));
  return rows;
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * Whether making the records could cap the driver: the rate one worker thread makes them at, against the
 * fastest ProducerPerformance median of the run.
 */
function generatorRow(producer: ProducerFigures): string[] {
  const perSec = 1e6 / producer.generatorMicrosPerRecord;
  const kafka = producer.cases.flatMap((c) => c.contenders.filter((k) => k.name === PRODUCER_PERFORMANCE));
  const fastest = Math.max(...kafka.map((k) => k.medianPerSec));
  const known = kafka.length > 0;
  return [
    "generator's work per record, timed alone (no Kafka)",
    `${micros(producer.generatorMicrosPerRecord)}: ${formatCount(perSec)} rec/s from one worker`,
    known ? `ProducerPerformance's fastest ${formatCount(fastest)} rec/s` : "",
    known ? times(perSec / fastest) : "",
    `≥ ${times(DRIVER_AIM_RATIO)}`,
    known ? mark(perSec / fastest >= DRIVER_AIM_RATIO) : "",
    "",
  ];
}

function overheadRows(overhead: OverheadFigures | undefined): string[][] {
  if (!overhead) return [];
  const { on, off, cpu } = overhead;
  const observerShare = overhead.observerMicrosPerEvent / median(cpu.offMicrosPerEvent);
  return [
    [
      `lab overhead, driver on ${overhead.client}, ${plural(overhead.partitions, "partition")}`,
      `${formatCount(on.medianPerSec)} ev/s observed ${range(on)}`,
      `unobserved ${formatCount(off.medianPerSec)} ev/s ${range(off)}`,
      `${times(on.ratio)} (${percent(overhead.overhead)} overhead)`,
      `< ${percent(overhead.aim)}`,
      mark(overhead.overhead < overhead.aim),
      "",
    ],
    [
      "lab overhead in CPU time per event, same rounds",
      `${micros(median(cpu.onMicrosPerEvent))} observed ${microsRange(cpu.onMicrosPerEvent)}`,
      `unobserved ${micros(median(cpu.offMicrosPerEvent))} ${microsRange(cpu.offMicrosPerEvent)}`,
      `${times(1 + cpu.overhead)} (${percent(cpu.overhead)} more)`,
      `< ${percent(overhead.aim)}`,
      mark(cpu.overhead < overhead.aim),
      "",
    ],
    [
      "observer's work per event, timed alone (no Kafka)",
      micros(overhead.observerMicrosPerEvent),
      `driver's CPU unobserved ${micros(median(cpu.offMicrosPerEvent))}`,
      `${percent(observerShare)} of it`,
      `< ${percent(overhead.aim)}`,
      mark(observerShare < overhead.aim),
      "",
    ],
  ];
}

const micros = (us: number) => `${us.toFixed(2)} µs/event`;
const microsRange = (values: readonly number[]) =>
  `(${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;

function labMemoryRows(memory: LabMemoryBench | undefined): string[][] {
  if (!memory) return [];
  return [
    [
      `lab heap kept per event (send loop, ledger, observer)`,
      `${memory.run.heapKeptBytesPerEvent} B/event`,
      "",
      "",
      `< ${memory.aimRunBytesPerEvent} B`,
      mark(memory.run.heapKeptBytesPerEvent < memory.aimRunBytesPerEvent),
      "",
    ],
    [
      `lab heap kept per event (scheduled send loop)`,
      `${memory.scheduledSendLoopBytesPerEvent} B/event`,
      "",
      "",
      `< ${memory.aimScheduledBytesPerEvent} B`,
      mark(memory.scheduledSendLoopBytesPerEvent < memory.aimScheduledBytesPerEvent),
      "",
    ],
  ];
}

/** How each figure was taken, printed under the table so the rows stay short. */
export function benchNotes(figures: BenchFigures): string[] {
  const notes: string[] = [];
  const startup = figures.startup ?? [];
  if (startup.length > 0) {
    const samples = startup.map((s) => `${s.brokers}: ${s.samplesMs.map(seconds).join(", ")}`).join("; ");
    notes.push(
      `start to ready: startLocalStack with ZooKeeper and Prometheus until a replicated topic exists and every scrape target is up; each start stopped before the next; samples by broker count: ${samples}`,
    );
  }
  const producer = figures.producer;
  if (producer) {
    notes.push(
      `driver: ${formatCount(producer.events)} events a run, each on a fresh topic, ${producer.rounds} rounds alternating the contenders; medians with (min–max) of the rounds; schedule "max", acks=all, idempotent; values are login-event JSON of ~${Math.round(producer.meanValueBytes)} B, ours with a 36 B key, ProducerPerformance's picked from a file of the same events, without keys, and the Java producer's defaults otherwise`,
    );
    if (producer.processes > 1)
      notes.push(
        `driver, ${producer.processes} processes: ${producer.processes} child processes (--producers ${producer.processes}), process k sending the events i with i mod ${producer.processes} = k, all starting at one shared time; the rate is every ack over the time from that start to the last process's last ack`,
      );
    if (producer.librdkafkaMissing)
      notes.push(`driver on librdkafka not measured: ${producer.librdkafkaMissing}`);
    notes.push(
      `generator alone: what the driver's worker thread does per record (generator.next() and packChunk) for ${formatCount(GENERATOR_RECORDS)} valid events in the send loop's chunks, timed on the bench's thread without Kafka, median of 5; the driver makes its records on one such thread, so below 1.00× making them could cap it`,
    );
  }
  const aggregator = figures.aggregator;
  if (aggregator) {
    notes.push(
      `aggregator: ${formatCount(aggregator.events)} events pre-filled (${aggregator.malformedShare * 100}% malformed, oversized kinds left out), window ${seconds(aggregator.windowMs)}; rounds alternating with ConsumerPerformance, each in a fresh group; medians with (min–max); timed from the first consumer in its group until the group committed every partition to its end (both ends seen within 0.1 s); consumers are real processes; exact = aggregates and DLQ equal a recount of the input`,
      "ConsumerPerformance rate is its fetch.nMsg.sec (group join left out) reading the same input topic in its own group",
    );
    if (aggregator.librdkafkaMissing)
      notes.push(`aggregator on librdkafka not measured: ${aggregator.librdkafkaMissing}`);
    for (const c of aggregator.cases.filter((c) => c.problems.length > 0)) {
      notes.push(`NOT EXACT: ${c.client}, ${c.partitions}p × ${c.consumers}c: ${c.problems.join("; ")}`);
    }
  }
  const overhead = figures.overhead;
  if (overhead) {
    notes.push(
      `lab overhead: our driver at full speed on ${overhead.client}, ${formatCount(overhead.events)} events a run on a fresh topic (2 % malformed, the near-1 MB kinds left out), observers off and on alternating; "on" adds what a run adds on the driver's process (the observer fed every acknowledgement, its send-delay tracker and histograms, the lag probe and record timestamps sampled every second); both keep the ledger; no aggregator runs; CPU time is the driver process's user + system time over the run (process.cpuUsage) divided by its events; the observer alone is its onAck timed on 1,000,000 events in acks of 500 over the same partitions, median of 5`,
    );
  }
  const memory = figures.labMemory;
  if (memory) {
    notes.push(
      `lab memory: no Kafka; the real send loop, ledger and observer fed ${formatCount(memory.run.events)} events by a sender that acknowledges at once; heap and buffers after a full GC, least-squares slope per event past the first sixth (RSS ${memory.run.rssGrowthBytesPerEvent} B/event); the scheduled loop at ${formatCount(memory.scheduledRatePerSec)}/s for ${seconds(memory.scheduledDurationMs)}`,
    );
  }
  return notes;
}

/**
 * Said when the machine had more runnable work than cores at the start or end of the run: absolute
 * figures then move from run to run, while the ratios against Kafka's tools, taken minutes apart, hold better.
 */
export function busyMachineNote(loadAtStart: number, loadAtEnd: number, cores: number): string | undefined {
  const peak = Math.max(loadAtStart, loadAtEnd);
  if (peak <= cores) return undefined;
  return `the machine was busy with other work (1-minute load ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end, on ${cores} cores): absolute figures vary from run to run; read the ratios`;
}
