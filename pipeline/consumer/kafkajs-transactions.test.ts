import { describe, expect, it } from "vitest";
import type { AnalyticsRecord } from "./aggregate/record.ts";
import type { DeadLetter } from "./dead-letters.ts";
import { commitWindow, type Transaction, WindowCommitError } from "./kafkajs-transactions.ts";
import { windowRecord } from "./test-fixtures.ts";

const topics = { groupId: "g", inputTopic: "in", outputTopic: "out", dlqTopic: "dlq" };

/** The analytics record of a window of partition 1 over offsets `from`–`to`. */
const record = (from: number, to: number): AnalyticsRecord => windowRecord(1, from, to);

const letter = (bytes: number): DeadLetter => ({ key: null, value: Buffer.alloc(bytes), headers: {} });

/** A transaction that writes down what it is asked, and fails at the step named. */
function fakeProducer(failAt?: "send" | "sendOffsets" | "commit", abortFails = false) {
  const calls: string[] = [];
  const fail = (step: string, error: Error) => {
    if (failAt === step) throw error;
  };
  const txn: Transaction = {
    async sendBatch({ topicMessages }) {
      calls.push(`send ${topicMessages.map((t) => `${t.topic} ${t.messages.length}`).join(" + ")}`);
      fail("send", new Error("The request included a message larger than the max message size"));
    },
    async sendOffsets({ topics: offsets }) {
      calls.push(`offsets ${offsets[0]?.partitions[0]?.partition}@${offsets[0]?.partitions[0]?.offset}`);
      fail("sendOffsets", Object.assign(new Error("fenced"), { type: "INVALID_PRODUCER_EPOCH" }));
    },
    async commit() {
      calls.push("commit");
      fail("commit", Object.assign(new Error("not the coordinator"), { type: "NOT_COORDINATOR" }));
    },
    async abort() {
      calls.push("abort");
      if (abortFails)
        throw new Error('Transaction state exception: Cannot call "abort" in state "COMMITTING"');
    },
  };
  return { calls, producer: { transaction: async () => txn } };
}

/** What committing a window of two valid records through `fake` threw. */
const failedCommit = (fake: ReturnType<typeof fakeProducer>): Promise<unknown> =>
  commitWindow(
    fake.producer,
    { partition: 1, records: [record(0, 1)], deadLetters: [], nextOffset: "2" },
    topics,
  ).catch((e: unknown) => e);

describe("commitWindow", () => {
  it("sends each aggregate alone and dead letters in bounded requests, never two topics in one, then the offsets, then commits", async () => {
    const { calls, producer } = fakeProducer();
    await commitWindow(
      producer,
      {
        partition: 1,
        records: [record(10, 19), record(20, 29)],
        deadLetters: [letter(400_000), letter(400_000), letter(10)],
        nextOffset: "30",
      },
      topics,
    );
    // Never two topics in one request: see windowRequests.
    expect(calls).toEqual(["send out 1", "send out 1", "send dlq 1", "send dlq 2", "offsets 1@30", "commit"]);
  });

  it("sends a window of dead letters only, or of aggregates only, without an empty request", async () => {
    const letters = fakeProducer();
    await commitWindow(
      letters.producer,
      { partition: 1, records: [], deadLetters: [letter(10)], nextOffset: "1" },
      topics,
    );
    expect(letters.calls).toEqual(["send dlq 1", "offsets 1@1", "commit"]);
    const aggregates = fakeProducer();
    await commitWindow(
      aggregates.producer,
      { partition: 1, records: [record(0, 1)], deadLetters: [], nextOffset: "2" },
      topics,
    );
    expect(aggregates.calls).toEqual(["send out 1", "offsets 1@2", "commit"]);
  });

  it("aborts on a failure and says whether the producer was fenced", async () => {
    const fenced = fakeProducer("sendOffsets");
    const error = await failedCommit(fenced);
    expect(error).toBeInstanceOf(WindowCommitError);
    expect((error as WindowCommitError).fenced).toBe(true);
    expect(fenced.calls.at(-1)).toBe("abort");

    const tooLarge = fakeProducer("send");
    const other = await failedCommit(tooLarge);
    expect((other as WindowCommitError).fenced).toBe(false);
    expect(tooLarge.calls).not.toContain("commit");
  });

  it("still reports the failure when EndTxn failed and the abort is refused (kafkajs stuck in COMMITTING)", async () => {
    const stuck = fakeProducer("commit", true);
    const error = await failedCommit(stuck);
    expect(error).toBeInstanceOf(WindowCommitError);
    expect((error as Error).message).toMatch(/not the coordinator/);
    expect(stuck.calls.slice(-2)).toEqual(["commit", "abort"]);
  });
});
