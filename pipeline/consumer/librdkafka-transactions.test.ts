import { describe, expect, it, vi } from "vitest";
import type { RdConsumer, RdKafkaError, RdKafkaModule } from "../kafka/librdkafka.ts";
import type { WindowPlan } from "./commit-plan.ts";
import {
  CALL_TIMEOUT_MS,
  CALLBACK_GRACE_MS,
  call,
  closedWithin,
  LibrdkafkaTransactions,
} from "./librdkafka-transactions.ts";
import { windowRecord } from "./test-fixtures.ts";

type Step = "init" | "begin" | "offsets" | "commit" | "abort";

const rdError = (message: string, more: Partial<RdKafkaError> = {}): RdKafkaError =>
  Object.assign(new Error(message), { code: -1, ...more });

/**
 * A stand-in for the native client's transactional producer that writes every call in one log, and fails
 * the steps a test names with the error it gives.
 */
function fakeBinding(fail: Partial<Record<Step, RdKafkaError>> = {}, silent: Step[] = []) {
  const log: string[] = [];
  const configs: Record<string, unknown>[] = [];
  class Producer {
    readonly name = `producer#${configs.length + 1}`;
    constructor(config: Record<string, unknown>) {
      configs.push(config);
    }
    on() {}
    connect(_options: unknown, cb: (error: RdKafkaError | null) => void) {
      cb(null);
    }
    private step(step: Step, line: string, cb: (error: RdKafkaError | null) => void) {
      log.push(`${this.name} ${line}`);
      if (!silent.includes(step)) setImmediate(() => cb(fail[step] ?? null));
    }
    initTransactions(_timeoutMs: number, cb: (error: RdKafkaError | null) => void) {
      this.step("init", "init", cb);
    }
    beginTransaction(cb: (error: RdKafkaError | null) => void) {
      this.step("begin", "begin", cb);
    }
    produce(
      topic: string,
      _partition: null,
      value: Buffer | null,
      key: Buffer | string | null,
      timestamp: number,
      _opaque: unknown,
      headers?: Record<string, string>[],
    ) {
      const about = topic === "out" ? JSON.parse(String(value)).source : headers;
      log.push(`${this.name} produce ${topic} ${String(key)} @${timestamp} ${JSON.stringify(about)}`);
    }
    sendOffsetsToTransaction(
      offsets: { topic: string; partition: number; offset: number }[],
      consumer: RdConsumer,
      _timeoutMs: number,
      cb: (error: RdKafkaError | null) => void,
    ) {
      const list = offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(",");
      this.step("offsets", `offsets ${list} for ${(consumer as unknown as { name: string }).name}`, cb);
    }
    commitTransaction(_timeoutMs: number, cb: (error: RdKafkaError | null) => void) {
      this.step("commit", "commit", cb);
    }
    abortTransaction(_timeoutMs: number, cb: (error: RdKafkaError | null) => void) {
      this.step("abort", "abort", cb);
    }
    disconnect(_timeoutMs: number, cb: () => void) {
      log.push(`${this.name} disconnect`);
      setImmediate(cb);
    }
  }
  const binding = { Producer, librdkafkaVersion: "fake" } as unknown as RdKafkaModule;
  return { binding, log, configs };
}

function transactionsOn(fake: ReturnType<typeof fakeBinding>, lines: string[] = []) {
  return new LibrdkafkaTransactions({
    binding: fake.binding,
    connection: { brokers: ["fake:9092"] },
    clientId: "login-aggregator-test",
    transactionalId: "g-in-test",
    consumer: { name: "the member's consumer" } as unknown as RdConsumer,
    topics: { inputTopic: "in", outputTopic: "out", dlqTopic: "dlq" },
    log: (line) => lines.push(line),
  });
}

/** The plan of a window of valid records at offsets `from`–`to` of `partition`, and dead letters at `invalid`. */
function plan(partition: number, from: number, to: number, invalid: number[] = []): WindowPlan {
  return {
    partition,
    firstOffset: String(from),
    lastOffset: String(to),
    emittedAtMs: 5_000,
    records: [windowRecord(partition, from, to, { invalid, emittedAtMs: 5_000 })],
    deadLetters: invalid.map((o) => ({
      key: Buffer.from(`k${o}`),
      value: Buffer.from("{"),
      headers: { "dlq.reason": "not_json", "dlq.source.offset": String(o) },
    })),
    nextOffset: String(to + 1),
    latencies: () => [],
  };
}

describe("LibrdkafkaTransactions", () => {
  it("carries every plan in one transaction: begin, each record and dead letter, all offsets with the member's group metadata, commit", async () => {
    const fake = fakeBinding();
    const transactions = transactionsOn(fake);
    await transactions.open();
    await transactions.commit([plan(0, 10, 12, [11]), plan(2, 40, 41)]);
    expect(fake.log).toEqual([
      "producer#1 init",
      "producer#1 begin",
      'producer#1 produce out in:0:10-12 @5000 {"topic":"in","partition":0,"from_offset":"10","to_offset":"12"}',
      'producer#1 produce dlq k11 @5000 [{"dlq.reason":"not_json"},{"dlq.source.offset":"11"}]',
      'producer#1 produce out in:2:40-41 @5000 {"topic":"in","partition":2,"from_offset":"40","to_offset":"41"}',
      "producer#1 offsets in/0@13,in/2@42 for the member's consumer",
      "producer#1 commit",
    ]);
  });

  it("commits no offsets for plans that carry none (offsets committed as read)", async () => {
    const fake = fakeBinding();
    const transactions = transactionsOn(fake);
    await transactions.open();
    await transactions.commit([{ ...plan(0, 10, 12), nextOffset: undefined }]);
    expect(fake.log.filter((line) => !line.includes(" produce "))).toEqual([
      "producer#1 init",
      "producer#1 begin",
      "producer#1 commit",
    ]);
  });

  it("stops a transaction at the step that failed and throws its error; abandon then aborts it with the same producer", async () => {
    const lost = rdError("Broker: Not coordinator", { code: 16, isRetriable: true });
    const fake = fakeBinding({ commit: lost });
    const transactions = transactionsOn(fake);
    await transactions.open();
    await expect(transactions.commit([plan(0, 10, 12)])).rejects.toBe(lost);
    await transactions.abandon();
    expect(fake.log.filter((line) => !line.includes(" produce "))).toEqual([
      "producer#1 init",
      "producer#1 begin",
      "producer#1 offsets in/0@13 for the member's consumer",
      "producer#1 commit",
      "producer#1 abort",
    ]);
  });

  it("replaces a fenced producer whose abort fails: the next transaction's new producer fences it for good", async () => {
    const fenced = rdError("Local: This instance has been fenced by a newer instance", {
      code: -144,
      isFatal: true,
    });
    const fake = fakeBinding({ offsets: fenced, abort: fenced });
    const lines: string[] = [];
    const transactions = transactionsOn(fake, lines);
    await transactions.open();
    await expect(transactions.commit([plan(0, 10, 12)])).rejects.toBe(fenced);
    await transactions.abandon();
    expect(lines).toEqual([
      "abort failed (Local: This instance has been fenced by a newer instance); a new producer will fence this one",
    ]);
    await expect(transactions.commit([plan(0, 10, 12)])).rejects.toBe(fenced);
    expect(fake.log.filter((line) => !line.includes(" produce "))).toEqual([
      "producer#1 init",
      "producer#1 begin",
      "producer#1 offsets in/0@13 for the member's consumer",
      "producer#1 abort",
      "producer#1 disconnect",
      "producer#2 init",
      "producer#2 begin",
      "producer#2 offsets in/0@13 for the member's consumer",
    ]);
  });

  it("starts without a producer when no transaction coordinator answers yet, and makes one at the first commit", async () => {
    const noCoordinator = rdError("Local: Timed out", { code: -185 });
    const fake = fakeBinding({ init: noCoordinator });
    const lines: string[] = [];
    const transactions = transactionsOn(fake, lines);
    await transactions.open();
    expect(lines).toEqual(["no producer yet (Local: Timed out); the first window's commit makes one"]);
    // Left connected, a producer whose init failed would go on initialising and fence the next one.
    expect(fake.log).toEqual(["producer#1 init", "producer#1 disconnect"]);
    await expect(transactions.commit([plan(0, 10, 12)])).rejects.toBe(noCoordinator);
    expect(fake.log.slice(2)).toEqual(["producer#2 init", "producer#2 disconnect"]);
  });

  it("fails to open on a fatal error", async () => {
    const fatal = rdError("Broker: Transactional Id authorization failed", { code: 53, isFatal: true });
    const transactions = transactionsOn(fakeBinding({ init: fatal }));
    await expect(transactions.open()).rejects.toBe(fatal);
  });

  it("makes each producer transactional under the member's id, idempotent, acknowledged by every replica", async () => {
    const fake = fakeBinding();
    await transactionsOn(fake).open();
    expect(fake.configs).toEqual([
      expect.objectContaining({
        "bootstrap.servers": "fake:9092",
        "transactional.id": "g-in-test",
        "enable.idempotence": true,
        acks: "all",
      }),
    ]);
  });
});

describe("a librdkafka call whose callback never comes", () => {
  it("fails a commit, naming the call, once its own timeout and a grace are over; abandon then aborts it", async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeBinding({}, ["commit"]);
      const transactions = transactionsOn(fake);
      const commit = transactions.commit([plan(0, 0, 1)]);
      const outcome = commit.then(
        () => "committed",
        (error: Error) => error.message,
      );
      await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS + CALLBACK_GRACE_MS - 5_000);
      expect(await Promise.race([outcome, "still waiting"])).toBe("still waiting");
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await outcome).toBe(
        `librdkafka's commitTransaction did not call back within ${(CALL_TIMEOUT_MS + CALLBACK_GRACE_MS) / 1000} s`,
      );
      const abandoned = transactions.abandon();
      await vi.advanceTimersByTimeAsync(0);
      await abandoned;
      expect(fake.log.slice(-2)).toEqual(["producer#1 commit", "producer#1 abort"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("resolves with the callback's value when it comes, and ignores one that comes after the limit", async () => {
    await expect(
      call<number>("committed", (done) => setImmediate(() => done(null, 42)), 1_000),
    ).resolves.toBe(42);
    let late: ((error: null) => void) | undefined;
    const lost = call(
      "consume",
      (done) => {
        late = done;
      },
      20,
    );
    await expect(lost).rejects.toThrow("librdkafka's consume did not call back within 0.02 s");
    expect(() => late?.(null)).not.toThrow();
  });
});

describe("closedWithin", () => {
  it("gives up on a close that never calls back, so a stop ends inside its grace", async () => {
    vi.useFakeTimers();
    try {
      const waiting = closedWithin(() => {}, 8_000);
      await vi.advanceTimersByTimeAsync(8_000);
      expect(await waiting).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says so when the close called back", async () => {
    expect(await closedWithin((done) => setImmediate(done), 8_000)).toBe(true);
  });
});
