import { describe, expect, it } from "vitest";
import { driverEnvironment } from "./driver-env.ts";

const settings = {
  connection: { brokers: ["127.0.0.1:1111", "127.0.0.1:2222"] },
  topic: "user-login",
  ratePerSec: 199.6,
  events: 4_000,
  durationMs: 20_500,
  partitions: 3,
  seed: 42,
  malformed: 0.02,
};

describe("driverEnvironment", () => {
  it("tells a driver of one's own where to write and how much", () => {
    expect(driverEnvironment(settings)).toMatchObject({
      KAFKA_BROKERS: "127.0.0.1:1111,127.0.0.1:2222",
      TOPIC: "user-login",
      RATE: "200",
      EVENTS: "4000",
      DURATION_S: "21",
      DURATION_MS: "20500",
      PARTITIONS: "3",
      SEED: "42",
      MALFORMED: "0.02",
      KAFKA_SASL_PASSWORD: "",
    });
  });

  it("hands SASL and TLS on by the aggregators' variable names", () => {
    const sasl = { mechanism: "plain" as const, username: "lab", password: "s3cret" };
    const env = driverEnvironment({ ...settings, connection: { ...settings.connection, sasl, ssl: true } });
    expect(env).toMatchObject({
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "lab",
      KAFKA_SASL_PASSWORD: "s3cret",
      KAFKA_TLS: "true",
    });
  });
});
