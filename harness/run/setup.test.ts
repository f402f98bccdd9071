import { describe, expect, it } from "vitest";
import { creationToWaitOut } from "./setup.ts";

/** kafkajs's answer to a CreateTopics with errors: an aggregate of one protocol error per topic. */
function creationErrors(...types: [string, boolean][]): Error {
  const error = new Error("Topic creation errors") as Error & { errors: unknown[] };
  error.name = "KafkaJSAggregateError";
  error.errors = types.map(([type, retriable], i) => ({ topic: `t${i}`, type, retriable }));
  return error;
}

describe("creationToWaitOut", () => {
  it("waits out a creation the controller timed out, a broker still registering, and a topic created meanwhile", () => {
    expect(creationToWaitOut(creationErrors(["REQUEST_TIMED_OUT", true]))).toBe(true);
    expect(creationToWaitOut(creationErrors(["INVALID_REPLICATION_FACTOR", false]))).toBe(true);
    expect(
      creationToWaitOut(creationErrors(["TOPIC_ALREADY_EXISTS", false], ["REQUEST_TIMED_OUT", true])),
    ).toBe(true);
  });

  it("does not wait on a refusal, even beside errors that pass", () => {
    expect(creationToWaitOut(creationErrors(["TOPIC_AUTHORIZATION_FAILED", false]))).toBe(false);
    expect(creationToWaitOut(creationErrors(["REQUEST_TIMED_OUT", true], ["POLICY_VIOLATION", false]))).toBe(
      false,
    );
  });

  it("reads a single error by whether it is retriable", () => {
    expect(creationToWaitOut(Object.assign(new Error("not controller"), { retriable: true }))).toBe(true);
    expect(creationToWaitOut(new TypeError("x is undefined"))).toBe(false);
  });
});
