import type { Admin, ITopicConfig } from "kafkajs";
import { describe, expect, it } from "vitest";
import { ensureTopics, TopicPartitionsError } from "./topics.ts";

/** An in-memory stand-in for the three admin calls ensureTopics makes; it records every creation asked. */
function fakeAdmin(
  initial: Record<string, number>,
  options: { createdByOthers?: Record<string, number> } = {},
) {
  const topics = new Map(Object.entries(initial));
  const createRequests: ITopicConfig[] = [];
  const admin = {
    listTopics: async () => [...topics.keys()],
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] } = { topics: [] }) => ({
      topics: names
        .filter((n) => topics.has(n))
        .map((name) => ({
          name,
          partitions: Array.from({ length: topics.get(name) ?? 0 }, (_, partitionId) => ({
            partitionErrorCode: 0,
            partitionId,
            leader: 0,
            replicas: [0],
            isr: [0],
            offlineReplicas: [],
          })),
        })),
    }),
    createTopics: async ({ topics: configs }: { topics: ITopicConfig[] }) => {
      let allNew = true;
      for (const config of configs) {
        createRequests.push(config);
        const raced = options.createdByOthers?.[config.topic];
        if (raced !== undefined) {
          topics.set(config.topic, raced);
          allNew = false;
        } else {
          topics.set(config.topic, config.numPartitions ?? 1);
        }
      }
      return allNew;
    },
  } satisfies Pick<Admin, "listTopics" | "fetchTopicMetadata" | "createTopics">;
  return { admin, topics, createRequests };
}

describe("ensureTopics", () => {
  it("creates only the missing topics, as specified, and returns their names", async () => {
    const { admin, topics, createRequests } = fakeAdmin({ "user-login": 3 });
    const created = await ensureTopics(admin, [
      { topic: "user-login", partitions: 3, replicationFactor: 1 },
      { topic: "user-login-dlq", partitions: 2, replicationFactor: 3 },
    ]);
    expect(created).toEqual(["user-login-dlq"]);
    expect(createRequests).toEqual([{ topic: "user-login-dlq", numPartitions: 2, replicationFactor: 3 }]);
    expect(topics.get("user-login")).toBe(3);
  });

  it("accepts an existing topic with more partitions than asked, and leaves it alone", async () => {
    const { admin, topics, createRequests } = fakeAdmin({ "user-login": 6 });
    expect(await ensureTopics(admin, [{ topic: "user-login", partitions: 3, replicationFactor: 1 }])).toEqual(
      [],
    );
    expect(createRequests).toEqual([]);
    expect(topics.get("user-login")).toBe(6);
  });

  it("refuses an existing topic with fewer partitions than asked, naming both counts", async () => {
    const { admin } = fakeAdmin({ "user-login": 1 });
    const run = ensureTopics(admin, [{ topic: "user-login", partitions: 3, replicationFactor: 1 }]);
    await expect(run).rejects.toBeInstanceOf(TopicPartitionsError);
    await expect(run).rejects.toThrow("topic user-login exists with 1 partition(s) but 3 are needed");
  });

  it("does not claim a topic that another client created first, but still checks its partitions", async () => {
    const { admin } = fakeAdmin({}, { createdByOthers: { a: 1, b: 4 } });
    expect(await ensureTopics(admin, [{ topic: "b", partitions: 2, replicationFactor: 1 }])).toEqual([]);
    await expect(ensureTopics(admin, [{ topic: "a", partitions: 2, replicationFactor: 1 }])).rejects.toThrow(
      "exists with 1 partition(s) but 2 are needed",
    );
  });
});
