import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Admin } from "kafkajs";
import { MALFORMED_KINDS } from "../../pipeline/events/generator.ts";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import { runProducer } from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { waitFor } from "../core/wait-for.ts";
import { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import type { Counts } from "../result/types.ts";
import { readAnalytics, readDeadLetters, recountInput } from "../verify/collect.ts";
import { exactnessProblems } from "./aggregator-exactness.ts";
import { alternate, type Contender, summarise } from "./alternate.ts";
import type { BenchContext } from "./context.ts";
import { runConsumerPerformance } from "./kafka-tools.ts";

/** The aim: events through the aggregator over ConsumerPerformance's records on the same backlog. */
export const AGGREGATOR_AIM_RATIO = 0.6;
/** Short, so that waiting for the last window's commit adds little to the drain time. */
export const BENCH_WINDOW_MS = 1_000;
const MALFORMED_SHARE = 0.02;
/** The oversized kinds are left out: they would make the bench about bytes rather than events. */
export const BENCH_MALFORMED_KINDS = MALFORMED_KINDS.filter(
  (k) => k !== "near_kafka_limit" && k !== "too_large",
);
const CASES = [
  { partitions: 1, consumers: 1 },
  { partitions: 6, consumers: 1 },
  { partitions: 6, consumers: 3 },
] as const;
const DRAIN_TIMEOUT_MS = 600_000;
const CONSUMER_PERFORMANCE = "ConsumerPerformance";

export interface AggregatorCase {
  client: ClientName;
  partitions: number;
  consumers: number;
  /** Ours per round: from the first consumer in the group to every input partition committed to its end. */
  ours: Contender;
  /** ConsumerPerformance's fetch rate on the same topic, in the rounds alternating with ours. */
  reference: Contender;
  /** Every round's exactness problems; none when every round was exact. */
  problems: string[];
  /** Ours over ConsumerPerformance, medians. */
  ratio: number;
}

export interface AggregatorFigures {
  events: number;
  windowMs: number;
  malformedShare: number;
  aimRatio: number;
  cases: AggregatorCase[];
  /** Why the aggregator on librdkafka was not measured, when it was not. */
  librdkafkaMissing?: string;
}

const contender = (consumers: number, client: ClientName) => `${consumers}c on ${client}`;

/** What every round on one pre-filled input topic shares. */
interface Backlog {
  context: BenchContext;
  admin: Admin;
  input: string;
  partitions: number;
  events: number;
  rounds: number;
  recount: Counts;
  /** Per input partition, the offsets [from, to] the aggregates must tile exactly once. */
  coverage: Map<number, [bigint, bigint]>;
}

/**
 * Pre-fills a 1- and a 6-partition topic, then, in alternating rounds, reads each with Kafka's
 * ConsumerPerformance for the raw read ceiling and lets the aggregator (real processes, as a user runs them)
 * drain it in a fresh group, checking every round's result is exact.
 */
export async function benchAggregator(
  context: BenchContext,
  events: number,
  rounds: number,
): Promise<AggregatorFigures> {
  const runName = `bench-agg-${randomBytes(4).toString("hex")}`;
  const admin = createKafka(context.stack.connection(), `${runName}-admin`).admin();
  await admin.connect();
  const cases: AggregatorCase[] = [];
  const librdkafkaMissing = librdkafkaUnavailable();
  const clients: ClientName[] = librdkafkaMissing ? ["kafkajs"] : ["kafkajs", "librdkafka"];
  try {
    for (const partitions of [...new Set(CASES.map((c) => c.partitions))]) {
      const input = `${runName}-in-${partitions}p`;
      const backlog = await prefill(context, admin, input, partitions, events);
      cases.push(...(await benchBacklog({ ...backlog, rounds }, clients)));
    }
  } finally {
    await admin.disconnect();
  }
  return {
    events,
    windowMs: BENCH_WINDOW_MS,
    malformedShare: MALFORMED_SHARE,
    aimRatio: AGGREGATOR_AIM_RATIO,
    cases,
    ...(librdkafkaMissing ? { librdkafkaMissing } : {}),
  };
}

/** Creates `input` and fills it with `events` events, then recounts it as the verifier will. */
async function prefill(
  context: BenchContext,
  admin: Admin,
  input: string,
  partitions: number,
  events: number,
): Promise<Omit<Backlog, "rounds">> {
  const connection = context.stack.connection();
  await ensureTopics(admin, [{ topic: input, partitions, replicationFactor: 1 }]);
  context.log(
    `aggregator: pre-filling ${input} with ${events} events (${MALFORMED_SHARE * 100}% malformed)…`,
  );
  const fill = await runProducer({
    connection,
    topic: input,
    schedule: "max",
    stopAfter: { count: events },
    seed: partitions,
    malformed: MALFORMED_SHARE,
    malformedKinds: BENCH_MALFORMED_KINDS,
  });
  if (fill.acked !== events) throw new LabError("KAFKA", `pre-fill acked ${fill.acked} of ${events} events`);
  const recount = await recountInput(connection, input);
  // Every offset of every partition must be covered by exactly one aggregate range.
  const coverage = new Map<number, [bigint, bigint]>(
    (await admin.fetchTopicOffsets(input)).map((o) => [o.partition, [0n, BigInt(o.high) - 1n]]),
  );
  return { context, admin, input, partitions, events, recount, coverage };
}

/** The alternating rounds on one backlog: ConsumerPerformance and every consumer count on every client. */
async function benchBacklog(backlog: Backlog, clients: ClientName[]): Promise<AggregatorCase[]> {
  const { partitions, rounds } = backlog;
  const problems = new Map<string, string[]>();
  const consumerCounts = CASES.filter((c) => c.partitions === partitions).map((c) => c.consumers);
  const contenders = new Map(
    clients.flatMap((client) =>
      consumerCounts.map((consumers) => [contender(consumers, client), { consumers, client }] as const),
    ),
  );
  const names = [...contenders.keys(), CONSUMER_PERFORMANCE];
  const samples = await alternate(names, rounds, async (who, round) => {
    if (who === CONSUMER_PERFORMANCE) return consumerPerformanceRound(backlog, round);
    const { consumers, client } = contenders.get(who) as { consumers: number; client: ClientName };
    const { perSec, found } = await drainRound(backlog, consumers, client, round);
    problems.set(who, [...(problems.get(who) ?? []), ...found.map((p) => `round ${round}: ${p}`)]);
    return perSec;
  });
  const summary = summarise(samples, CONSUMER_PERFORMANCE);
  const reference = summary.find((c) => c.name === CONSUMER_PERFORMANCE) as Contender;
  return [...contenders].map(([name, { consumers, client }]) => {
    const ours = summary.find((c) => c.name === name) as Contender;
    return {
      client,
      partitions,
      consumers,
      ours,
      reference,
      problems: problems.get(name) ?? [],
      ratio: ours.ratio,
    };
  });
}

/** One round of Kafka's ConsumerPerformance on the backlog: its fetch rate, records per second. */
async function consumerPerformanceRound(backlog: Backlog, round: number): Promise<number> {
  const { context, input, events, rounds } = backlog;
  context.log(`aggregator: ConsumerPerformance on ${input}, round ${round} of ${rounds}…`);
  const run = { dist: context.dist, bootstrapServers: context.stack.bootstrapServers(), topic: input };
  const figures = await runConsumerPerformance(
    { ...run, count: events, logDir: context.logDir },
    `${input}-consumer-performance-${round}`,
  );
  return figures.fetchPerSec;
}

/**
 * One round of the aggregator: `consumers` processes on `client` drain the backlog in a fresh group into
 * fresh output topics, which are then read back and checked for exactness.
 */
async function drainRound(
  backlog: Backlog,
  consumers: number,
  client: ClientName,
  round: number,
): Promise<{ perSec: number; found: string[] }> {
  const { context, admin, input, partitions, events, rounds } = backlog;
  const connection = context.stack.connection();
  const name = `${input}-${consumers}c-${client}-${round}`;
  const topics = { input, output: `${name}-out`, dlq: `${name}-dlq` };
  await ensureTopics(admin, [
    { topic: topics.output, partitions: 1, replicationFactor: 1 },
    { topic: topics.dlq, partitions: 1, replicationFactor: 1 },
  ]);
  context.log(
    `aggregator: ${partitions}p × ${consumers}c on ${client} draining ${events} events, round ${round} of ${rounds}…`,
  );
  const fleet = new ConsumerFleet({
    connection,
    groupId: `${name}-group`,
    topics,
    windowMs: BENCH_WINDOW_MS,
    inputPartitions: partitions,
    client,
    logDir: join(context.logDir, name),
  });
  let drainMs: number;
  try {
    drainMs = await timeDrain(admin, fleet, consumers, input, `${name}-group`);
  } finally {
    await fleet.stopAll();
  }
  const [analytics, dlq] = await Promise.all([
    readAnalytics(connection, topics, { coverage: backlog.coverage }),
    readDeadLetters(connection, topics.dlq),
  ]);
  const found = exactnessProblems(events, backlog.recount, analytics.summary, dlq, analytics.unreadable);
  return { perSec: (events * 1000) / drainMs, found };
}

/**
 * Starts the consumers together and times from the first one in the group (process start-up left out, as
 * ConsumerPerformance's fetch rate leaves out its JVM start and group join) until the group has committed
 * every input partition to its end.
 */
async function timeDrain(
  admin: Admin,
  fleet: ConsumerFleet,
  consumers: number,
  topic: string,
  groupId: string,
): Promise<number> {
  const joinedAt: number[] = [];
  await Promise.all(
    Array.from({ length: consumers }, () => fleet.add().then(() => joinedAt.push(systemClock.monotonic()))),
  );
  let behind = "";
  await waitFor(
    async () => {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const lagging = ends.filter((end) => {
        const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
        return BigInt(offset) < BigInt(end.high);
      });
      behind = lagging.map((p) => `partition ${p.partition}`).join(", ");
      return lagging.length === 0 ? true : undefined;
    },
    {
      what: `the aggregators to commit all of ${topic}`,
      timeoutMs: DRAIN_TIMEOUT_MS,
      intervalMs: 100,
      describe: () => `behind: ${behind}`,
    },
  );
  return systemClock.monotonic() - Math.min(...joinedAt);
}
