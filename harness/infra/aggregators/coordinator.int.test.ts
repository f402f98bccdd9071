import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { createKafka } from "../../../pipeline/kafka/client.ts";
import { uniqueName } from "../../testing/kafka.ts";
import { startLocalStack } from "../local/local-stack.ts";
import { waitForKafka } from "../readiness.ts";
import type { StartedStack } from "../types.ts";
import { findCoordinator } from "./coordinator.ts";

interface RdAdmin {
  describeGroups(
    ids: string[],
    options: { timeout: number },
    cb: (error: Error | null, result: { groups: { groupId: string; coordinator: { id: number } }[] }) => void,
  ): void;
  disconnect(): void;
}

/** What librdkafka's admin (an independent client) names as each group's coordinator. */
async function librdkafkaGroupCoordinators(stack: StartedStack, groupIds: string[]): Promise<number[]> {
  const { AdminClient } = createRequire(import.meta.url)("@confluentinc/kafka-javascript") as {
    AdminClient: { create(config: Record<string, string>): RdAdmin };
  };
  const admin = AdminClient.create({ "bootstrap.servers": stack.bootstrapServers().join(",") });
  try {
    const { groups } = await new Promise<{ groups: { groupId: string; coordinator: { id: number } }[] }>(
      (resolve, reject) =>
        admin.describeGroups(groupIds, { timeout: 30_000 }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
    );
    return groupIds.map((id) => groups.find((g) => g.groupId === id)?.coordinator.id ?? -1);
  } finally {
    admin.disconnect();
  }
}

/** Java's String.hashCode, which Kafka uses to place a transactional id on a __transaction_state partition. */
function javaHash(text: string): number {
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + (char.codePointAt(0) as number)) | 0;
  return hash;
}

/** Where Kafka places a transactional id: the leader of __transaction_state partition |hash| mod its count. */
async function transactionStateLeader(stack: StartedStack, transactionalId: string): Promise<number> {
  const admin = createKafka(stack.connection(), "coordinator-test").admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: ["__transaction_state"] });
    const partitions = meta.topics[0]?.partitions ?? [];
    const hash = javaHash(transactionalId);
    const index = (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions.length;
    return partitions.find((p) => p.partitionId === index)?.leader ?? -1;
  } finally {
    await admin.disconnect();
  }
}

let stack: StartedStack | undefined;
afterAll(async () => {
  await stack?.stop();
});

describe("findCoordinator on 3 brokers", () => {
  it("names the group coordinator librdkafka's describeGroups names, and the transaction coordinator Kafka places the id on", async () => {
    stack = await startLocalStack({
      brokers: 3,
      kraft: false,
      prometheus: false,
      log: (line) => process.stderr.write(`[coordinator] ${line}\n`),
    });
    await waitForKafka(stack.connection(), 3, { timeoutMs: 120_000, signal: undefined });

    // Several ids, so that the answer is not one broker by luck: 8 ids on 3 brokers all on one is 1 in 2,187.
    const groupIds = Array.from({ length: 8 }, () => uniqueName("coordinator-group"));
    const found = [];
    for (const id of groupIds) found.push(await findCoordinator(stack.connection(), "group", id));
    expect(found).toEqual(await librdkafkaGroupCoordinators(stack, groupIds));
    expect(new Set(found).size).toBeGreaterThan(1);

    const transactionalIds = Array.from({ length: 8 }, () => uniqueName("coordinator-txn"));
    const producer = createKafka(stack.connection(), "coordinator-test").producer({
      transactionalId: transactionalIds[0] as string,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect(); // initTransactions: the id is registered with its coordinator
    await producer.disconnect();
    const coordinators = [];
    for (const id of transactionalIds)
      coordinators.push(await findCoordinator(stack.connection(), "transaction", id));
    const placed = [];
    for (const id of transactionalIds) placed.push(await transactionStateLeader(stack, id));
    expect(coordinators).toEqual(placed);
    expect(new Set(coordinators).size).toBeGreaterThan(1);
  });
});
