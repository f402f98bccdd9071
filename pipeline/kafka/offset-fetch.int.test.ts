import type { Admin } from "kafkajs";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { waitFor } from "../../harness/core/wait-for.ts";
import { uniqueName } from "../../harness/testing/kafka.ts";
import { ensureTopics } from "../topics.ts";
import { createKafka, type KafkaConnection } from "./client.ts";

/**
 * kafkajs 2.2.4 speaks OffsetFetch up to v4; the project's patch (patches/kafkajs+2.2.4.patch) adds v7 and
 * `requireStable` (KIP-447), which the kafkajs aggregator needs to read the committed offset of a partition it
 * claims without counting the previous owner's last window twice.
 */
describe("kafkajs's OffsetFetch, mended", () => {
  const connection: KafkaConnection = { brokers: inject("stack").bootstrapServers };

  async function admin(): Promise<Admin> {
    const client = createKafka(connection, "offset-fetch-test").admin();
    await client.connect();
    onTestFinished(() => client.disconnect());
    return client;
  }

  /** Partition → committed offset, or the error's type. */
  async function read(client: Admin, groupId: string, topic: string, requireStable: boolean) {
    try {
      const [offsets] = await client.fetchOffsets({ groupId, topics: [topic], requireStable });
      return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
    } catch (error) {
      return (error as { type?: string }).type ?? String(error);
    }
  }

  it("answers UNSTABLE_OFFSET_COMMIT while a transaction's offsets are pending, then the committed or the old offset", async () => {
    const client = await admin();
    const topic = uniqueName("offset-fetch-in");
    const groupId = uniqueName("offset-fetch-group");
    await ensureTopics(client, [{ topic, partitions: 2, replicationFactor: 1 }]);
    const producer = createKafka(connection, "offset-fetch-test").producer({
      transactionalId: uniqueName("offset-fetch-txn"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const stable = () =>
      waitFor(
        async () => {
          const offsets = await read(client, groupId, topic, true);
          return typeof offsets === "string" ? undefined : offsets;
        },
        { what: "a stable committed offset", timeoutMs: 30_000, intervalMs: 20 },
      );

    expect(await read(client, groupId, topic, true)).toEqual({ 0: "-1", 1: "-1" });

    const committing = await producer.transaction();
    await committing.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: "10" }] }],
    });
    expect(await read(client, groupId, topic, true)).toBe("UNSTABLE_OFFSET_COMMIT");
    expect(await read(client, groupId, topic, false)).toEqual({ 0: "-1", 1: "-1" });
    await committing.commit();
    expect(await stable()).toEqual({ 0: "10", 1: "-1" });

    const aborting = await producer.transaction();
    await aborting.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 1, offset: "5" }] }],
    });
    expect(await read(client, groupId, topic, true)).toBe("UNSTABLE_OFFSET_COMMIT");
    await aborting.abort();
    expect(await stable()).toEqual({ 0: "10", 1: "-1" });
  });

  it("still gives a consumer its group's committed offsets (the consumer's own OffsetFetch is now v7 too)", async () => {
    const client = await admin();
    const topic = uniqueName("offset-fetch-resume");
    const groupId = uniqueName("offset-fetch-resume-group");
    await ensureTopics(client, [{ topic, partitions: 1, replicationFactor: 1 }]);
    const kafka = createKafka(connection, "offset-fetch-test");
    const producer = kafka.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
    await client.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "7" }] });

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    onTestFinished(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    await waitFor(() => (seen.length >= 3 ? true : undefined), {
      what: "the records after the committed offset",
      timeoutMs: 30_000,
      describe: () => `offsets seen: ${seen.join(",") || "none"}`,
    });
    expect(seen).toEqual(["7", "8", "9"]);
  });
});
