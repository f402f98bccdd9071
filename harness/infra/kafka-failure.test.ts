import { describe, expect, it } from "vitest";
import { EXIT_CODES, exitCodeFor, formatError, LabError } from "../core/errors.ts";
import { asKafkaFailure } from "./kafka-failure.ts";

function kafkaClientError(): Error {
  const error = new Error("This server does not host this topic-partition");
  error.name = "KafkaJSProtocolError";
  return error;
}

describe("asKafkaFailure", () => {
  it("turns a Kafka client error into an exit-2 KAFKA error that names the brokers' logs, with no stack", () => {
    const failure = asKafkaFailure(kafkaClientError(), {
      zookeeper: "/runs/x/logs/zookeeper.log",
      "broker-1": "/runs/x/logs/broker-1.log",
    });
    expect(failure).toBeInstanceOf(LabError);
    expect((failure as LabError).code).toBe("KAFKA");
    expect(exitCodeFor(failure)).toBe(EXIT_CODES.usageOrEnvironment);
    const text = formatError(failure);
    expect(text).toContain(
      "error: Kafka failed during the run: This server does not host this topic-partition",
    );
    expect(text).toContain("/runs/x/logs/broker-1.log");
    expect(text).not.toContain("zookeeper.log");
    expect(text).not.toMatch(/\n\s+at /);
  });

  it("leaves any other error as it was: a bug of ours stays one", () => {
    const bug = new TypeError("x is undefined");
    expect(asKafkaFailure(bug, {})).toBe(bug);
  });
});
