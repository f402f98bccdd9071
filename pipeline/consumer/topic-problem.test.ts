import { describe, expect, it } from "vitest";
import { TopicPartitionsError } from "../topics.ts";
import { ConsumerConfigError } from "./args.ts";
import { topicProblem } from "./topic-problem.ts";

const specs = [{ topic: "user-login", partitions: 3, replicationFactor: 1 }];

describe("topicProblem", () => {
  it("names a missing topic and the command that creates it", () => {
    const problem = topicProblem(new TopicPartitionsError("user-login", 0, 3), specs, ["h:9"]);
    expect(problem).toBeInstanceOf(ConsumerConfigError);
    expect(problem).toMatchObject({
      message: "topic user-login is missing on h:9, and the aggregator could not create it",
      hint: "create it: kafka-topics.sh --bootstrap-server h:9 --create --topic user-login --partitions 3 --replication-factor 1",
    });
  });

  it("says how many partitions a topic has against how many were asked for", () => {
    expect(topicProblem(new TopicPartitionsError("user-login", 1, 3), specs, ["h:9"])).toMatchObject({
      message: "topic user-login has 1 partition(s) but --partitions asks for 3",
      hint: expect.stringContaining("--partitions 1"),
    });
  });

  it("turns a refused authorisation into the topics and how to create them, and leaves other errors be", () => {
    const denied = topicProblem(new Error("Topic authorization failed"), specs, ["h:9"]);
    expect((denied as Error).message).toMatch(/^this user may not create or describe the topics user-login/);
    const other = new Error("something else");
    expect(topicProblem(other, specs, ["h:9"])).toBe(other);
  });
});
