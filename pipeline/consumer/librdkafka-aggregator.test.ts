import { describe, expect, it, onTestFinished, vi } from "vitest";
import type {
  RdKafkaError,
  RdKafkaModule,
  RdMessage,
  RdTopicPartition,
  RdTopicPartitionOffset,
} from "../kafka/librdkafka.ts";
import { RD_ASSIGN_PARTITIONS, RD_OFFSET_BEGINNING } from "../kafka/librdkafka.ts";
import { LibrdkafkaAggregator, resumeAt } from "./librdkafka-aggregator.ts";
import { committedTransaction, fakeBrokerOptions } from "./test-fixtures.ts";

type Done = (error: RdKafkaError | null) => void;
type Rebalance = (error: { code: number }, partitions: RdTopicPartition[]) => void;

/** `rebalance_cb`'s code when partitions are taken away (librdkafka's RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS). */
const RD_REVOKE_PARTITIONS = -174;
const fenced = Object.assign(new Error("Local: This instance has been fenced by a newer instance"), {
  code: -144,
  isFatal: true,
});

/**
 * A stand-in for the native client, its consumer and its transactional producers, that writes every call
 * that matters in one log. Like the broker, it keeps the offsets a committed transaction sent and hands
 * them to `committed()`. A test hands the consumer batches (`deliver`), moves partitions (`assign`,
 * `revoke`), and holds the next commit to fail it (`holdCommit`). The transactions' own steps are tested in
 * librdkafka-transactions.test.ts, and on real Kafka in aggregator.int.test.ts and aggregator-faults.int.test.ts.
 */
function fakeLibrdkafka() {
  const log: string[] = [];
  const committed = new Map<number, number>();
  const batches: { messages: RdMessage[]; before?: () => void }[] = [];
  let rebalanceCb: Rebalance | undefined;
  let closing = false;
  let duringClose: (() => void) | undefined;
  let producers = 0;
  let abortFails = false;
  let unreadOnce: string | undefined;
  let hold: (() => void) | undefined;
  let heldCommit: Done | undefined;
  /** Holds the next commit until the test fails it: `reached` once it is asked for. */
  const holdCommit = () => {
    const reached = new Promise<void>((resolve) => {
      hold = resolve;
    });
    return { reached, fail: (error: RdKafkaError) => heldCommit?.(error) };
  };

  class Producer {
    readonly name = `producer#${++producers}`;
    private offsets: RdTopicPartitionOffset[] = [];
    on() {}
    connect(_options: unknown, cb: Done) {
      cb(null);
    }
    initTransactions(_timeoutMs: number, cb: Done) {
      log.push(`${this.name} init`);
      setImmediate(() => cb(null));
    }
    beginTransaction(cb: Done) {
      log.push(`${this.name} begin`);
      this.offsets = [];
      setImmediate(() => cb(null));
    }
    produce(topic: string, _partition: null, value: Buffer | null) {
      if (topic === "out") {
        const { source, total, invalid } = JSON.parse(String(value));
        log.push(
          `${this.name} produce out ${source.partition}:${source.from_offset}–${source.to_offset} (${total} + ${invalid})`,
        );
      } else log.push(`${this.name} produce ${topic}`);
    }
    sendOffsetsToTransaction(offsets: RdTopicPartitionOffset[], _consumer: unknown, _ms: number, cb: Done) {
      log.push(`${this.name} offsets ${offsets.map((o) => `${o.partition}@${o.offset}`).join(",")}`);
      this.offsets = offsets;
      setImmediate(() => cb(null));
    }
    commitTransaction(_timeoutMs: number, cb: Done) {
      log.push(`${this.name} commit`);
      const end = (error: RdKafkaError | null) => {
        if (!error) for (const { partition, offset } of this.offsets) committed.set(partition, offset);
        cb(error);
      };
      if (!hold) {
        setImmediate(() => end(null));
        return;
      }
      heldCommit = end;
      hold();
      hold = undefined;
    }
    abortTransaction(_timeoutMs: number, cb: Done) {
      log.push(`${this.name} abort`);
      setImmediate(() => cb(abortFails ? fenced : null));
    }
    disconnect(_timeoutMs: number, cb: () => void) {
      log.push(`${this.name} disconnect`);
      setImmediate(cb);
    }
  }

  class KafkaConsumer {
    constructor(config: { rebalance_cb: Rebalance }) {
      rebalanceCb = config.rebalance_cb;
    }
    on() {}
    connect(_options: unknown, cb: Done) {
      cb(null);
    }
    setDefaultConsumeTimeout() {}
    setDefaultIsTimeoutOnlyForFirstMessage() {}
    subscribe() {}
    assign(partitions: RdTopicPartitionOffset[]) {
      // As the binding: once its close has begun it is no longer connected, and refuses.
      if (closing) throw new Error("Local: Erroneous state");
      const at = (p: RdTopicPartitionOffset) => (p.offset === undefined ? "" : `@${p.offset}`);
      log.push(`consumer assign ${partitions.map((p) => `${p.partition}${at(p)}`).join(",")}`);
    }
    unassign() {
      log.push("consumer unassign");
    }
    consume(_count: number, cb: (error: RdKafkaError | null, messages: RdMessage[]) => void) {
      const batch = batches.shift();
      if (!batch) {
        setTimeout(() => cb(null, []), 2);
        return;
      }
      // A rebalance served inside this call, after the records were fetched.
      batch.before?.();
      setImmediate(() => cb(null, batch.messages));
    }
    committed(
      partitions: RdTopicPartition[],
      _ms: number,
      cb: (e: null, o: RdTopicPartitionOffset[]) => void,
    ) {
      log.push(`consumer committed? ${partitions.map((p) => p.partition).join(",")}`);
      if (unreadOnce !== undefined) {
        // As the binding: a partition whose offset could not be read is an Error in its place.
        const errors = partitions.map(() => new Error(unreadOnce));
        unreadOnce = undefined;
        setImmediate(() => cb(null, errors as unknown as RdTopicPartitionOffset[]));
        return;
      }
      const offsets = partitions.map((p) => ({ ...p, offset: committed.get(p.partition) ?? -1_001 }));
      setImmediate(() => cb(null, offsets));
    }
    getWatermarkOffsets() {
      return { lowOffset: 0, highOffset: 100 };
    }
    disconnect(cb: () => void) {
      log.push("consumer leaves the group");
      closing = true;
      // librdkafka serves the rebalances still pending inside its close, through the same callback.
      duringClose?.();
      setImmediate(cb);
    }
  }

  const binding = { Producer, KafkaConsumer, librdkafkaVersion: "fake" } as unknown as RdKafkaModule;
  const login = (offset: number) =>
    Buffer.from(JSON.stringify({ user_id: `u${offset}`, timestamp: 1_700_000_000 }));
  /** Records at `offsets` of `partition`; the offsets in `invalid` hold a value that is not JSON. */
  const records = (partition: number, offsets: number[], invalid: number[] = []): RdMessage[] =>
    offsets.map((offset) => ({
      topic: "in",
      partition,
      offset,
      key: null,
      value: invalid.includes(offset) ? Buffer.from("{") : login(offset),
      timestamp: 1_700_000_000_000,
    }));
  const rebalance = (code: number, partitions: number[]) =>
    rebalanceCb?.(
      { code },
      partitions.map((partition) => ({ topic: "in", partition })),
    );
  return {
    binding,
    log,
    /** Hands `messages` to the next consume call, and waits until the aggregator has taken them. */
    deliver: async (messages: RdMessage[], options: { rebalanceFirst?: () => void } = {}) => {
      batches.push({ messages, before: options.rebalanceFirst });
      await vi.waitFor(() => expect(batches).toHaveLength(0));
      // The loop counts a batch in the turn its consume call answers; let that turn pass.
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
    assign: (partitions: number[]) => rebalance(RD_ASSIGN_PARTITIONS, partitions),
    /** Has the consumer's close serve `rebalances` before it ends. */
    whileClosing: (rebalances: () => void) => {
      duringClose = rebalances;
    },
    revoke: (partitions: number[]) => rebalance(RD_REVOKE_PARTITIONS, partitions),
    holdCommit,
    failAborts: () => {
      abortFails = true;
    },
    /** Answers the next committed-offset read with an Error for each partition, as the binding does. */
    failNextCommittedRead: (message: string) => {
      unreadOnce = message;
    },
    records,
  };
}

/**
 * An aggregator on `fake`, started and given `partitions`, stopped when the test ends; `clock.at` is its
 * time, 1 s at first, and `lines` what it logged.
 */
async function assigned(fake: ReturnType<typeof fakeLibrdkafka>, partitions: number[]) {
  const clock = { at: 1_000 };
  const lines: string[] = [];
  const aggregator = new LibrdkafkaAggregator({
    ...fakeBrokerOptions({ now: () => clock.at }),
    instanceId: "test",
    log: (line) => lines.push(line),
    binding: fake.binding,
  });
  onTestFinished(() => aggregator.stop());
  await aggregator.start();
  fake.assign(partitions);
  return { aggregator, clock, lines };
}

/**
 * Partition 0's window of offsets 0–2 committed at 60 s, then the window of `next` due at 120 s with its
 * commit held, for the test to fail.
 */
async function secondCommitHeld(
  fake: ReturnType<typeof fakeLibrdkafka>,
  clock: { at: number },
  next: number[],
) {
  await fake.deliver(fake.records(0, [0, 1, 2]));
  clock.at = 60_000;
  await vi.waitFor(() => expect(fake.log).toContain("producer#1 commit"));
  await fake.deliver(fake.records(0, next));
  const commit = fake.holdCommit();
  clock.at = 120_000;
  await commit.reached;
  return commit;
}

describe("LibrdkafkaAggregator", () => {
  it("commits every due window's analytics, dead letters and next offsets in one transaction", async () => {
    const fake = fakeLibrdkafka();
    const { clock } = await assigned(fake, [0, 1]);
    await fake.deliver([...fake.records(0, [0, 1, 2], [1]), ...fake.records(1, [7, 8])]);
    clock.at = 60_000;
    await vi.waitFor(() => expect(fake.log).toContain("producer#1 commit"));
    expect(fake.log).toEqual([
      "producer#1 init",
      "consumer assign 0,1",
      ...committedTransaction("producer#1", ["out 0:0–2 (2 + 1)", "dlq", "out 1:7–8 (2 + 0)"], "0@3,1@9"),
    ]);
  });

  it("after a failed transaction, aborts it, drops what was counted since, and reads again from the window's first offset", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator, clock, lines } = await assigned(fake, [0]);
    const commit = await secondCommitHeld(fake, clock, [3, 4, 5]);
    // Reading goes on while the transaction is in flight: these records open the next window.
    await fake.deliver(fake.records(0, [6, 7]));
    fake.log.length = 0;
    commit.fail(Object.assign(new Error("Broker: Not coordinator"), { code: 16 }));
    await vi.waitFor(() => expect(fake.log).toContain("consumer assign 0@3"));
    expect(fake.log).toEqual(["producer#1 abort", "consumer committed? 0", "consumer assign 0@3"]);
    expect(lines).toContain(
      "window(s) 0@3 not committed (Broker: Not coordinator); reading every partition again from its committed offset",
    );
    fake.log.length = 0;
    await fake.deliver(fake.records(0, [3, 4, 5, 6, 7]));
    await aggregator.stop();
    expect(fake.log).toEqual([
      ...committedTransaction("producer#1", ["out 0:3–7 (5 + 0)"], "0@8"),
      "consumer leaves the group",
      "producer#1 disconnect",
    ]);
  });

  it("reads the committed offsets again when a partition's comes back as an error, rather than starting it over", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator, clock, lines } = await assigned(fake, [0]);
    const commit = await secondCommitHeld(fake, clock, [3, 4]);
    fake.failNextCommittedRead("Broker: Coordinator load in progress");
    fake.log.length = 0;
    commit.fail(Object.assign(new Error("Broker: Not coordinator"), { code: 16 }));
    await vi.waitFor(() => expect(fake.log).toContain("consumer assign 0@3"), { timeout: 10_000 });
    expect(fake.log.filter((line) => line.startsWith("consumer assign"))).toEqual(["consumer assign 0@3"]);
    expect(lines).toContainEqual(
      expect.stringContaining("1 committed offset(s) not read: Broker: Coordinator load in progress"),
    );
    await aggregator.stop();
  });

  it("answers an assignment served while it leaves the group with an empty one, and stops without a crash", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator, lines } = await assigned(fake, [0]);
    fake.whileClosing(() => fake.assign([0, 1, 2]));
    fake.log.length = 0;
    await aggregator.stop();
    expect(fake.log).toEqual(["consumer leaves the group", "consumer unassign", "producer#1 disconnect"]);
    expect(lines).toContain("leaving the group: partitions 0,1,2 offered, not taken");
  });

  it("drops a batch fetched across a rebalance, and reads each partition again from its committed offset", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator } = await assigned(fake, [0]);
    await fake.deliver(fake.records(0, [0, 1]));
    await fake.deliver(fake.records(0, [2, 3]), { rebalanceFirst: () => fake.assign([0]) });
    await vi.waitFor(() => expect(fake.log).toContain("consumer assign 0@-2"));
    fake.log.length = 0;
    await fake.deliver(fake.records(0, [0, 1, 2, 3]));
    await aggregator.stop();
    expect(fake.log.slice(0, 4)).toEqual(committedTransaction("producer#1", ["out 0:0–3 (4 + 0)"], "0@4"));
  });

  it("commits nothing of a revoked partition, and counts only the partitions it holds", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator } = await assigned(fake, [0, 1]);
    await fake.deliver([...fake.records(0, [0, 1]), ...fake.records(1, [0, 1])]);
    fake.revoke([0, 1]);
    fake.assign([1]);
    await fake.deliver([...fake.records(0, [2]), ...fake.records(1, [0, 1, 2])]);
    await aggregator.stop();
    expect(fake.log.filter((line) => / (produce|offsets) /.test(line))).toEqual([
      "producer#1 produce out 1:0–2 (3 + 0)",
      "producer#1 offsets 1@3",
    ]);
  });

  it("on a fenced producer whose abort fails, makes a new one, which fences the old, and reads the window again", async () => {
    const fake = fakeLibrdkafka();
    const { aggregator, clock, lines } = await assigned(fake, [0]);
    await fake.deliver(fake.records(0, [0, 1, 2]));
    fake.failAborts();
    const commit = fake.holdCommit();
    clock.at = 60_000;
    await commit.reached;
    commit.fail(fenced);
    await vi.waitFor(() => expect(fake.log).toContain("consumer assign 0@-2"));
    expect(lines).toContain(
      "abort failed (Local: This instance has been fenced by a newer instance); a new producer will fence this one",
    );
    await fake.deliver(fake.records(0, [0, 1, 2]));
    await aggregator.stop();
    expect(fake.log).toEqual([
      "producer#1 init",
      "consumer assign 0",
      ...committedTransaction("producer#1", ["out 0:0–2 (3 + 0)"], "0@3"),
      "producer#1 abort",
      "producer#1 disconnect",
      "consumer committed? 0",
      "consumer assign 0@-2",
      "producer#2 init",
      ...committedTransaction("producer#2", ["out 0:0–2 (3 + 0)"], "0@3"),
      "consumer leaves the group",
      "producer#2 disconnect",
    ]);
  });
});

describe("resumeAt", () => {
  it("resumes each partition at its committed offset, and one without a commit at the beginning", () => {
    expect(
      resumeAt("user-login", [
        { partition: 0, offset: 4_598 },
        { partition: 1, offset: 0 },
        { partition: 2, offset: -1_001 },
      ]),
    ).toEqual([
      { topic: "user-login", partition: 0, offset: 4_598 },
      { topic: "user-login", partition: 1, offset: 0 },
      { topic: "user-login", partition: 2, offset: RD_OFFSET_BEGINNING },
    ]);
  });
});
