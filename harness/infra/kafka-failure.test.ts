import { describe, expect, it } from "vitest";
import { EXIT_CODES, exitCodeFor, formatError, LabError } from "../core/errors.ts";
import { asKafkaFailure, passesWithTime } from "./kafka-failure.ts";

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

  it("names each error inside an aggregate, with its topic and type", () => {
    const aggregate = Object.assign(new Error("Topic creation errors"), {
      name: "KafkaJSAggregateError",
      errors: [
        { topic: "user-login", type: "INVALID_REPLICATION_FACTOR", message: "Replication-factor is invalid" },
        { topic: "user-login-dlq", type: "REQUEST_TIMED_OUT", message: "The request timed out" },
      ],
    });
    const text = formatError(asKafkaFailure(aggregate, {}));
    expect(text).toContain(
      "Topic creation errors\n  user-login: Replication-factor is invalid (INVALID_REPLICATION_FACTOR)",
    );
    expect(text).toContain("\n  user-login-dlq: The request timed out (REQUEST_TIMED_OUT)");
  });

  it("leaves any other error as it was: a bug of ours stays one", () => {
    const bug = new TypeError("x is undefined");
    expect(asKafkaFailure(bug, {})).toBe(bug);
  });
});

describe("passesWithTime", () => {
  const protocolError = (retriable: boolean) =>
    Object.assign(new Error("This server is not the leader for that topic-partition"), {
      name: "KafkaJSProtocolError",
      retriable,
    });

  it("is true for a retriable Kafka error, and for one whose retries gave up on a retriable cause", () => {
    expect(passesWithTime(protocolError(true))).toBe(true);
    const exhausted = Object.assign(new Error("This server is not the leader for that topic-partition"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      retriable: false,
      cause: protocolError(true),
    });
    expect(passesWithTime(exhausted)).toBe(true);
  });

  it("is false for a refusal and for an error that is not Kafka's", () => {
    expect(passesWithTime(protocolError(false))).toBe(false);
    expect(passesWithTime(Object.assign(new TypeError("x"), { retriable: true }))).toBe(false);
  });
});
