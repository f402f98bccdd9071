import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import { constantRate, runProducer } from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { waitFor } from "../core/wait-for.ts";
import { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import { uniqueName } from "./kafka.ts";

/** A test's own topics and group, and a fleet of the pipeline's aggregator on them (none started yet). */
export interface AggregatorGroup {
  client: ClientName;
  connection: KafkaConnection;
  topics: { input: string; output: string; dlq: string };
  groupId: string;
  fleet: ConsumerFleet;
}

/** Makes the topics and the fleet; every member still running is killed when the test finishes. */
export async function aggregatorGroup(
  connection: KafkaConnection,
  options: { client: ClientName; partitions: number; windowMs: number; replicationFactor?: number },
): Promise<AggregatorGroup> {
  const name = uniqueName("agg");
  const replicationFactor = options.replicationFactor ?? 1;
  const topics = { input: `${name}-in`, output: `${name}-out`, dlq: `${name}-dlq` };
  const admin = createKafka(connection, `${name}-admin`).admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: topics.input, partitions: options.partitions, replicationFactor },
    { topic: topics.output, partitions: 1, replicationFactor },
    { topic: topics.dlq, partitions: 1, replicationFactor },
  ]);
  await admin.disconnect();
  const groupId = `${name}-group`;
  const fleet = new ConsumerFleet({
    connection,
    groupId,
    topics,
    windowMs: options.windowMs,
    inputPartitions: options.partitions,
    client: options.client,
    logDir: mkdtempSync(join(tmpdir(), `${name}-logs-`)),
  });
  onTestFinished(async () => {
    for (const index of fleet.running()) await fleet.kill(index);
  });
  return { client: options.client, connection, topics, groupId, fleet };
}

/** Logins at a constant rate into the group's input, 2 % of them malformed. */
export function produceLogins(
  group: AggregatorGroup,
  load: { rate: number; durationMs: number; seed: number },
) {
  return runProducer({
    connection: group.connection,
    topic: group.topics.input,
    schedule: constantRate(load.rate),
    stopAfter: { durationMs: load.durationMs },
    seed: load.seed,
    malformed: 0.02,
  });
}

/** Waits until the group has committed every partition up to its end: everything produced is counted. */
export async function drained(group: AggregatorGroup, timeoutMs: number): Promise<void> {
  const admin = createKafka(group.connection, "drain-check").admin();
  await admin.connect();
  try {
    let behind = "";
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(group.topics.input);
        const [committed] = await admin.fetchOffsets({
          groupId: group.groupId,
          topics: [group.topics.input],
        });
        const at = (partition: number) =>
          committed?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
        const lagging = ends.filter((end) => BigInt(at(end.partition)) < BigInt(end.high));
        behind = lagging.map((p) => `partition ${p.partition} at ${at(p.partition)} of ${p.high}`).join(", ");
        return lagging.length === 0 ? true : undefined;
      },
      {
        what: "the aggregators to commit everything",
        timeoutMs,
        intervalMs: 500,
        describe: () => `behind: ${behind}`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}
