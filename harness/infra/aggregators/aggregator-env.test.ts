import { describe, expect, it } from "vitest";
import { ConsumerConfigError, parseConsumerArgs } from "../../../pipeline/consumer/args.ts";
import { aggregatorEnvironment } from "./aggregator-env.ts";

const settings = {
  connection: { brokers: ["127.0.0.1:1111", "127.0.0.1:2222"] },
  groupId: "group-x",
  topics: { input: "in-x", output: "out-x", dlq: "dlq-x" },
  windowMs: 5_000,
  inputPartitions: 6,
};

describe("aggregatorEnvironment", () => {
  it("configures the pipeline's own consumer completely, with no flags", async () => {
    const args = await parseConsumerArgs([], aggregatorEnvironment(settings, 2));
    expect(args).toEqual({
      brokers: ["127.0.0.1:1111", "127.0.0.1:2222"],
      group: "group-x",
      inputTopic: "in-x",
      outputTopic: "out-x",
      dlqTopic: "dlq-x",
      windowMs: 5_000,
      metricsPort: 0,
      metricsHost: "127.0.0.1",
      partitions: 6,
      client: "kafkajs",
      security: {},
    });
  });

  it("chooses the aggregator's client when told to, and refuses one it does not know", async () => {
    const onLibrdkafka = await parseConsumerArgs(
      [],
      aggregatorEnvironment({ ...settings, client: "librdkafka" }, 0),
    );
    expect(onLibrdkafka.client).toBe("librdkafka");
    const wrong = parseConsumerArgs(["--client", "rdkafka"], aggregatorEnvironment(settings, 0));
    await expect(wrong).rejects.toThrow(ConsumerConfigError);
    await expect(wrong).rejects.toThrow(/--client: "rdkafka" is not a client/);
  });

  it("hands SASL and TLS settings on through the environment, never as arguments", async () => {
    const sasl = { mechanism: "scram-sha-512" as const, username: "lab", password: "s3cret" };
    const env = aggregatorEnvironment(
      { ...settings, connection: { ...settings.connection, sasl, ssl: { ca: ["PEM"] } } },
      0,
    );
    const args = await parseConsumerArgs([], env);
    expect(args.security).toEqual({ sasl, ssl: { ca: ["PEM"], rejectUnauthorized: true } });
  });

  it("tells an aggregator of one's own its window in milliseconds and its index", () => {
    const env = aggregatorEnvironment(settings, 2);
    expect(env.WINDOW_MS).toBe("5000");
    expect(env.CONSUMER_INDEX).toBe("2");
  });
});
