import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, inject, it } from "vitest";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { type AckedBatch, constantRate } from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { uniqueName } from "../testing/kafka.ts";
import { prepareProducerLoad } from "./producer-load.ts";

describe("the lab's driver, connected before the run's clock starts", () => {
  const connection: KafkaConnection = { brokers: inject("stack").bootstrapServers };

  it("sends nothing until run(), then keeps its schedule from that moment", async () => {
    const topic = uniqueName("producer-load");
    const admin = createKafka(connection, "producer-load-test").admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, partitions: 2, replicationFactor: 1 }]);
    await admin.disconnect();

    const acks: AckedBatch[] = [];
    const load = await prepareProducerLoad({
      connection,
      topic,
      schedule: constantRate(1_000),
      stopAfter: { durationMs: 2_000 },
      seed: 5,
      onAck: (ack) => acks.push(ack),
    });
    await sleep(1_500);
    expect(acks).toEqual([]);

    const startedAt = Date.now();
    const summary = await load.run();
    const records = acks.flatMap((ack) => ack.records);
    expect(summary.acked).toBe(2_000);
    expect(Math.min(...records.map((r) => r.sentAtMs))).toBeGreaterThanOrEqual(startedAt);
    // Due times count from run(), not from the connect before it: none of the 1.5 s wait is owed as delay.
    const delays = records.map((r) => r.sentAtMs - r.dueTimeMs).sort((a, b) => a - b);
    expect(delays[Math.floor(delays.length * 0.99)]).toBeLessThan(500);
  });

  it("fails when it cannot connect, before the clock would start", async () => {
    await expect(
      prepareProducerLoad({
        connection: { brokers: ["127.0.0.1:1"] },
        topic: "user-login",
        schedule: constantRate(10),
        stopAfter: { durationMs: 1_000 },
        seed: 1,
      }),
    ).rejects.toThrow(/cannot reach Kafka at 127\.0\.0\.1:1/);
  });
});
