import { describe, expect, inject, it, onTestFinished } from "vitest";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { uniqueName } from "../testing/kafka.ts";
import { KafkaRecordTimestamps } from "./record-timestamps.ts";

describe("KafkaRecordTimestamps", () => {
  it("reads the broker's timestamp of the record at an offset, and says so when there is none in time", async () => {
    const connection = { brokers: inject("stack").bootstrapServers };
    const topic = uniqueName("record-ts");
    const kafka = createKafka(connection, "record-ts-test");
    const admin = kafka.admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const base = 1_700_000_000_000;
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({
        partition: 1,
        value: `v${i}`,
        timestamp: String(base + i * 1_000),
      })),
    });

    const timestamps = new KafkaRecordTimestamps(connection, topic, [0, 1]);
    onTestFinished(() => timestamps.stop());
    // The first lookup also starts the reader (a group join), so it gets a generous bound.
    expect(await timestamps.timestampAt(1, 3n, 30_000)).toBe(base + 3_000);
    expect(await timestamps.timestampAt(1, 7n, 5_000)).toBe(base + 7_000);
    expect(await timestamps.timestampAt(1, 7n, 1)).toBe(base + 7_000);
    expect(await timestamps.timestampAt(0, 0n, 1_000)).toEqual({
      unknown: "the record at offset 0 was not read within 1000 ms",
    });
  });
});
