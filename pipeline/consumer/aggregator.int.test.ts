import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { waitFor } from "../../harness/core/wait-for.ts";
import { ConsumerFleet } from "../../harness/infra/aggregators/consumer-fleet.ts";
import { uniqueName } from "../../harness/testing/kafka.ts";
import { type Collected, collect } from "../../harness/verify/collect.ts";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { CLIENT_NAMES, type ClientName } from "../kafka/record-producer.ts";
import { constantRate, runProducer } from "../producer/producer.ts";
import { ensureTopics } from "../topics.ts";

const shared = inject("stack");
const connection: KafkaConnection = { brokers: shared.bootstrapServers };

interface Setup {
  topics: { input: string; output: string; dlq: string };
  groupId: string;
  fleet: ConsumerFleet;
}

async function setUp(client: ClientName, partitions: number, windowMs: number): Promise<Setup> {
  const name = uniqueName("agg");
  const topics = { input: `${name}-in`, output: `${name}-out`, dlq: `${name}-dlq` };
  const admin = createKafka(connection, `${name}-admin`).admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: topics.input, partitions, replicationFactor: 1 },
    { topic: topics.output, partitions: 1, replicationFactor: 1 },
    { topic: topics.dlq, partitions: 1, replicationFactor: 1 },
  ]);
  await admin.disconnect();
  const groupId = `${name}-group`;
  const fleet = new ConsumerFleet({
    connection,
    groupId,
    topics,
    windowMs,
    inputPartitions: partitions,
    client,
    logDir: mkdtempSync(join(tmpdir(), `${name}-logs-`)),
  });
  onTestFinished(async () => {
    for (const index of fleet.running()) await fleet.kill(index);
  });
  return { topics, groupId, fleet };
}

/** Waits until the group has committed every partition up to its end: everything produced is counted. */
async function drained(setup: Setup): Promise<void> {
  const admin = createKafka(connection, "drain-check").admin();
  await admin.connect();
  try {
    let behind = "";
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(setup.topics.input);
        const [committed] = await admin.fetchOffsets({
          groupId: setup.groupId,
          topics: [setup.topics.input],
        });
        const lagging = ends.filter((end) => {
          const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
          return BigInt(offset) < BigInt(end.high);
        });
        behind = lagging.map((p) => `partition ${p.partition}`).join(", ");
        return lagging.length === 0 ? true : undefined;
      },
      {
        what: "the aggregators to commit everything",
        timeoutMs: 90_000,
        intervalMs: 500,
        describe: () => `behind: ${behind}`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

function expectExact(collected: Collected): void {
  const { recount, analytics, dlq, unreadableAnalytics } = collected;
  expect(unreadableAnalytics).toEqual([]);
  expect(recount.total).toBeGreaterThan(0);
  expect(analytics.total).toBe(recount.valid);
  expect(analytics.byDeviceType).toEqual(recount.byDeviceType);
  expect(analytics.byLocale).toEqual(recount.byLocale);
  expect(analytics.invalid).toBe(recount.invalid);
  expect(dlq.total).toBe(recount.invalid);
  expect(dlq.byReason).toEqual(recount.invalidByReason);
  // The input has no transaction markers, so one partition's ranges must tile it exactly.
  expect(analytics.overlaps).toEqual([]);
  expect(analytics.gaps).toEqual([]);
  expect(analytics.duplicates).toEqual([]);
}

function produce(setup: Setup, options: { rate: number; durationMs: number; seed: number }) {
  return runProducer({
    connection,
    topic: setup.topics.input,
    schedule: constantRate(options.rate),
    stopAfter: { durationMs: options.durationMs },
    seed: options.seed,
    malformed: 0.02,
  });
}

describe.each(CLIENT_NAMES)("the aggregator on %s and a real Kafka", (client) => {
  it("counts N events with 2% malformed exactly, and /metrics shows the seed's counters with the same values", async () => {
    const setup = await setUp(client, 3, 2_000);
    const summary = await runProducer({
      connection,
      topic: setup.topics.input,
      schedule: "max",
      stopAfter: { count: 20_000 },
      seed: 7,
      malformed: 0.02,
    });
    expect(summary.acked).toBe(20_000);
    await setup.fleet.add();
    await drained(setup);
    const collected = await collect(connection, setup.topics);
    expect(collected.recount.total).toBe(20_000);
    expect(collected.recount.invalid).toBeGreaterThan(300);
    expectExact(collected);

    const text = await (await fetch(`http://${setup.fleet.metricsAddresses[0]}/metrics`)).text();
    const sample = (name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    const topic = setup.topics.input;
    expect(sample("total_count", `record_type="valid",topic="${topic}"`)).toBe(collected.recount.valid);
    for (const [deviceType, n] of Object.entries(collected.recount.byDeviceType)) {
      expect(sample("device_type_count", `device_type="${deviceType}",topic="${topic}"`)).toBe(n);
    }
    for (const [locale, n] of Object.entries(collected.recount.byLocale)) {
      expect(sample("locale_count", `locale="${locale}",topic="${topic}"`)).toBe(n);
    }
    await setup.fleet.stopAll();
  });

  it("stays exact when the consumer is SIGKILLed mid-window three times and restarted", async () => {
    const setup = await setUp(client, 3, 3_000);
    const consumer = await setup.fleet.add();
    const load = produce(setup, { rate: 2_000, durationMs: 20_000, seed: 11 });
    for (const delayMs of [3_500, 4_200, 3_100]) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await setup.fleet.kill(consumer);
      await setup.fleet.restart(consumer);
    }
    expect((await load).failed).toBe(0);
    await drained(setup);
    await setup.fleet.stopAll();
    expect(setup.fleet.events.filter((e) => e.action === "kill")).toHaveLength(3);
    expectExact(await collect(connection, setup.topics));
  });
});
