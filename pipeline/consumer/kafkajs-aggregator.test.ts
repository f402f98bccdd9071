import { EventEmitter } from "node:events";
import type { EachBatchPayload, Kafka, Message } from "kafkajs";
import { describe, expect, it, onTestFinished } from "vitest";
import type { AnalyticsRecord } from "./aggregate/record.ts";
import { KafkajsAggregator } from "./kafkajs-aggregator.ts";
import { fakeBrokerOptions } from "./test-fixtures.ts";

/**
 * The aggregator's wiring, driven through a stand-in for the kafkajs client that writes down every call
 * in one log: the order of commits, claims and leaving the group is what these tests check. The
 * transactions themselves are tested on real Kafka in aggregator.int.test.ts and aggregator-faults.int.test.ts.
 */
function fakeKafka(committed = "-1", options: { firstCommitFails?: boolean } = {}) {
  const log: string[] = [];
  const sent: AnalyticsRecord[] = [];
  const consumerEvents = new EventEmitter();
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  let producers = 0;
  const events = { REBALANCING: "rebalancing", HEARTBEAT: "heartbeat", GROUP_JOIN: "join", CRASH: "crash" };
  const consumer = {
    events,
    on: (event: string, listener: (e: unknown) => void) => consumerEvents.on(event, listener),
    connect: async () => {},
    subscribe: async () => {},
    run: async (config: { eachBatch: typeof eachBatch }) => {
      eachBatch = config.eachBatch;
    },
    pause: () => log.push("consumer pause"),
    seek: ({ partition, offset }: { partition: number; offset: string }) =>
      log.push(`consumer seek ${partition}@${offset}`),
    disconnect: async () => log.push("consumer leaves the group"),
  };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    fetchOffsets: async () => [{ topic: "in", partitions: [{ partition: 0, offset: committed }] }],
    fetchTopicOffsets: async () => [{ partition: 0, low: "0", high: "100", offset: "100" }],
  };
  const producer = () => {
    producers += 1;
    const name = `producer#${producers}`;
    let initialised = false;
    // kafkajs leaves a producer whose EndTxn failed in COMMITTING, where it refuses every later call.
    let state = "READY";
    const refuse = (method: string) => {
      if (state === "COMMITTING")
        throw new Error(`Transaction state exception: Cannot call "${method}" in state "COMMITTING"`);
    };
    return {
      connect: async () => {},
      disconnect: async () => log.push(`${name} disconnect`),
      transaction: async () => {
        refuse("beginTransaction");
        if (!initialised) log.push(`${name} init`);
        initialised = true;
        return {
          sendBatch: async ({
            topicMessages,
          }: {
            topicMessages: { topic: string; messages: Message[] }[];
          }) => {
            for (const { topic, messages } of topicMessages) {
              log.push(`${name} send ${topic}`);
              if (topic === "out") for (const { value } of messages) sent.push(JSON.parse(String(value)));
            }
          },
          sendOffsets: async ({ topics }: { topics: { partitions: { offset: string }[] }[] }) =>
            log.push(`${name} offsets ${topics[0]?.partitions[0]?.offset}`),
          commit: async () => {
            log.push(`${name} commit`);
            if (options.firstCommitFails && name === "producer#1") {
              state = "COMMITTING";
              throw new Error("NOT_COORDINATOR");
            }
          },
          abort: async () => refuse("abort"),
        };
      },
    };
  };
  const kafka = { consumer: () => consumer, admin: () => admin, producer } as unknown as Kafka;
  const join = (partitions: number[]) =>
    consumerEvents.emit("join", { payload: { memberAssignment: { in: partitions } } });
  const heartbeat = () => consumerEvents.emit("heartbeat", {});
  /** A batch of the records at `offsets`, from a fetch at `fetchedOffset` (the first of them unless told). */
  const batch = async (offsets: number[], fetchedOffset = String(offsets[0])) => {
    if (!eachBatch) throw new Error("the aggregator has not started consuming");
    const login = (o: number) => Buffer.from(JSON.stringify({ user_id: `u${o}`, timestamp: 1_700_000_000 }));
    await eachBatch({
      batch: {
        topic: "in",
        partition: 0,
        highWatermark: "100",
        fetchedOffset,
        firstOffset: () => String(offsets[0]),
        lastOffset: () => String(offsets[offsets.length - 1]),
        messages: offsets.map((o) => ({ offset: String(o), key: null, value: login(o), timestamp: "0" })),
      },
      resolveOffset: () => {},
      heartbeat: async () => {},
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  };
  return { kafka, log, sent, join, heartbeat, batch };
}

/**
 * An aggregator on `fake`, started and given `partitions`, stopped when the test ends; `clock.at` is its
 * time, 1 s at first.
 */
async function joined(fake: ReturnType<typeof fakeKafka>, partitions: number[]) {
  const clock = { at: 1_000 };
  const aggregator = new KafkajsAggregator({
    ...fakeBrokerOptions({ now: () => clock.at }),
    kafka: () => fake.kafka,
  });
  onTestFinished(() => aggregator.stop());
  await aggregator.start();
  fake.join(partitions);
  return { aggregator, clock };
}

describe("KafkajsAggregator", () => {
  it("on stop, commits its open window and only then leaves the group", async () => {
    const fake = fakeKafka();
    const { aggregator } = await joined(fake, [0]);
    await fake.batch([0, 1, 2]);
    await aggregator.stop();
    const commit = fake.log.indexOf("producer#1 commit");
    expect(fake.log.slice(fake.log.indexOf("consumer pause"))).toEqual([
      "consumer pause",
      "producer#1 send out",
      "producer#1 offsets 3",
      "producer#1 commit",
      "consumer leaves the group",
      "producer#1 disconnect",
    ]);
    expect(commit).toBeLessThan(fake.log.indexOf("consumer leaves the group"));
  });

  it("claims each partition with a new producer in every generation, so its epoch is bumped each time", async () => {
    const fake = fakeKafka();
    await joined(fake, [0]);
    await fake.batch([0]);
    fake.join([0]);
    await fake.batch([0]);
    expect(fake.log).toEqual(["producer#1 init", "producer#1 disconnect", "producer#2 init"]);
  });

  it("neither claims nor counts when it has not heard from the coordinator for half a session timeout", async () => {
    const fake = fakeKafka();
    const { clock } = await joined(fake, [0]);
    clock.at += 6_000; // frozen: the group may have given partition 0 to another member
    await fake.batch([0, 1]);
    expect(fake.log).toEqual([]);
    fake.heartbeat(); // the coordinator answered: still a member
    await fake.batch([0, 1]);
    expect(fake.log).toEqual(["producer#1 init"]);
  });

  it("goes back to the committed offset when the first batch of a claim starts past it", async () => {
    const fake = fakeKafka("5");
    await joined(fake, [0]);
    await fake.batch([8, 9]);
    expect(fake.log).toEqual(["producer#1 init", "consumer seek 0@5"]);
  });

  it("goes back again when a batch fetched before the seek took effect starts past the committed offset", async () => {
    const fake = fakeKafka("5");
    const { aggregator } = await joined(fake, [0]);
    await fake.batch([8, 9]);
    // Fetched by another broker's fetcher before the seek (a leader moving in a rolling restart).
    await fake.batch([10, 11]);
    expect(fake.log).toEqual(["producer#1 init", "consumer seek 0@5", "consumer seek 0@5"]);
    await fake.batch([5, 6, 7, 8, 9, 10, 11]);
    await aggregator.stop();
    expect(fake.log).toContain("producer#1 offsets 12");
    expect(fake.sent.map((r) => [r.source.from_offset, r.source.to_offset, r.total])).toEqual([
      ["5", "11", 7],
    ]);
  });

  it("counts once the records that two fetches of the same offsets hand over", async () => {
    const fake = fakeKafka();
    const { aggregator } = await joined(fake, [0]);
    await fake.batch([0, 1, 2]);
    await fake.batch([0, 1, 2, 3]);
    await aggregator.stop();
    expect(fake.sent.map((r) => [r.source.from_offset, r.source.to_offset, r.total])).toEqual([
      ["0", "3", 4],
    ]);
  });

  it("replaces a producer left mid-commit by a failed EndTxn and reads the window again", async () => {
    const fake = fakeKafka("-1", { firstCommitFails: true });
    const { aggregator, clock } = await joined(fake, [0]);
    await fake.batch([0, 1, 2]);
    clock.at = 60_000; // the window is due: the next batch commits it first
    fake.heartbeat();
    await fake.batch([3]);
    expect(fake.log).toEqual([
      "producer#1 init",
      "producer#1 send out",
      "producer#1 offsets 3",
      "producer#1 commit",
      "producer#1 disconnect",
      "consumer seek 0@0",
    ]);
    fake.log.length = 0;
    await fake.batch([0, 1, 2, 3]);
    await aggregator.stop();
    expect(fake.log).toEqual([
      "producer#2 init",
      "consumer pause",
      "producer#2 send out",
      "producer#2 offsets 4",
      "producer#2 commit",
      "consumer leaves the group",
      "producer#2 disconnect",
    ]);
  });
});
