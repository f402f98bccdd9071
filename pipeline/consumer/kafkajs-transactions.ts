import type { Message } from "kafkajs";
import { analyticsKey, encodeAnalyticsRecord } from "./aggregate/record.ts";
import type { WindowPlan } from "./commit-plan.ts";
import { byteChunks, DLQ_REQUEST_BYTES } from "./dead-letters.ts";

/** The part of a kafkajs transaction this uses; a fake of it unit-tests the sequence. */
export interface Transaction {
  sendBatch(request: { acks: -1; topicMessages: { topic: string; messages: Message[] }[] }): Promise<unknown>;
  sendOffsets(request: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface TransactionalProducer {
  transaction(): Promise<Transaction>;
}

/** The part of a window's plan its kafkajs transaction carries. */
export type WindowOutput = Pick<WindowPlan, "partition" | "records" | "deadLetters" | "nextOffset">;

export interface WindowTopics {
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
}

/** A window's transaction failed and was not committed; `fenced` says a newer producer owns its id. */
export class WindowCommitError extends Error {
  override readonly name = "WindowCommitError";
  readonly fenced: boolean;

  constructor(cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(message, { cause });
    this.fenced = isFenced(cause);
  }
}

export function isFenced(error: unknown): boolean {
  const text = `${(error as { type?: string })?.type ?? ""} ${(error as Error)?.message ?? ""}`;
  return /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced/i.test(text);
}

/**
 * What a window's transaction sends, request by request: each aggregate in a request of its own, and dead
 * letters in bounded ones (each is bounded, several in one batch may not be). A request never holds two
 * topics: kafkajs 2.2.4's sendBatch, retrying after a leader moved, skips every broker that answered the
 * first try, so a partition whose new leader had already taken the other topic's batch was never sent, and
 * the transaction committed without it (chaos seed 4: 16 dead letters of a committed window missing, both
 * read_committed readers agreeing, when the controller's broker was SIGKILLed). The dead-letter topic has
 * one partition, so each request also goes to one partition, one broker.
 */
export function windowRequests(
  output: Pick<WindowOutput, "records" | "deadLetters">,
  topics: Pick<WindowTopics, "outputTopic" | "dlqTopic">,
): { topic: string; messages: Message[] }[][] {
  const aggregates = output.records.map((record) => ({
    topic: topics.outputTopic,
    messages: [{ key: analyticsKey(record.source), value: encodeAnalyticsRecord(record) }],
  }));
  const letters = [...byteChunks(output.deadLetters, DLQ_REQUEST_BYTES)].map((chunk) => ({
    topic: topics.dlqTopic,
    messages: chunk,
  }));
  return [...aggregates, ...letters].map((request) => [request]);
}

/**
 * Publishes a window's aggregates and dead letters (see `windowRequests`) and commits its input offsets (when
 * its plan has them), all in one Kafka transaction. On any failure it tries to abort and throws `WindowCommitError`; the producer
 * may then be unusable (kafkajs leaves it mid-commit when EndTxn fails), so the caller must replace it and
 * read the window again.
 */
export async function commitWindow(
  producer: TransactionalProducer,
  output: WindowOutput,
  topics: WindowTopics,
): Promise<void> {
  let txn: Transaction | undefined;
  try {
    txn = await producer.transaction();
    for (const topicMessages of windowRequests(output, topics)) {
      await txn.sendBatch({ acks: -1, topicMessages });
    }
    if (output.nextOffset !== undefined)
      await txn.sendOffsets({
        consumerGroupId: topics.groupId,
        topics: [
          {
            topic: topics.inputTopic,
            partitions: [{ partition: output.partition, offset: output.nextOffset }],
          },
        ],
      });
    await txn.commit();
  } catch (error) {
    await txn?.abort().catch(() => {});
    throw new WindowCommitError(error);
  }
}
