import type { KafkaConnection } from "../kafka/client.ts";
import type {
  RdConsumer,
  RdKafkaError,
  RdKafkaModule,
  RdTopicPartitionOffset,
  RdTransactionalProducer,
} from "../kafka/librdkafka.ts";
import { librdkafkaConnection } from "../kafka/librdkafka-producer.ts";
import { analyticsKey, encodeAnalyticsRecord } from "./aggregate/record.ts";
import type { WindowPlan } from "./commit-plan.ts";

/** For the transaction calls, each. */
export const CALL_TIMEOUT_MS = 30_000;
/**
 * A crashed member's open transaction blocks the partitions' new owners (their offset read waits for it, as
 * KIP-447 asks) until the coordinator aborts it: at most this long. A window's transaction lasts a round trip
 * or three, so a short timeout costs nothing while all is well.
 */
const TRANSACTION_TIMEOUT_MS = 10_000;
/** How long a producer's disconnect may take: its 5 s flush and librdkafka's teardown. */
const DISCONNECT_WAIT_MS = 15_000;

export interface LibrdkafkaTransactionsOptions {
  binding: RdKafkaModule;
  connection: KafkaConnection;
  clientId: string;
  transactionalId: string;
  /** Whose group metadata each transaction commits its offsets with (KIP-447). */
  consumer: RdConsumer;
  topics: { inputTopic: string; outputTopic: string; dlqTopic: string };
  log: (line: string) => void;
}

/**
 * Window plans carried through librdkafka's transactions, fenced the way KIP-447 meant: one transactional
 * producer per member, and every window's offsets committed through its transaction with the consumer's
 * group metadata, so that the broker itself refuses a commit from a member whose generation is over. One
 * transaction at a time: librdkafka's producer holds one.
 */
export class LibrdkafkaTransactions {
  private producer: RdTransactionalProducer | undefined;

  constructor(private readonly options: LibrdkafkaTransactionsOptions) {}

  /** Makes the producer, or leaves it to the first commit when no transaction coordinator answers yet. */
  async open(): Promise<void> {
    try {
      this.producer = await this.newProducer();
    } catch (error) {
      if ((error as RdKafkaError).isFatal) throw error;
      // A member restarted while a broker is down may find no transaction coordinator yet: the first
      // window's commit makes the producer instead of the member dying at start-up (issue 16).
      this.options.log(`no producer yet (${describe(error)}); the first window's commit makes one`);
    }
  }

  /** Publishes the plans' analytics records and dead letters and commits their offsets: one transaction. */
  async commit(plans: readonly WindowPlan[]): Promise<void> {
    const { topics, consumer } = this.options;
    this.producer ??= await this.newProducer();
    const producer = this.producer;
    await call("beginTransaction", (done) => producer.beginTransaction(done));
    for (const { records, deadLetters, emittedAtMs } of plans) {
      for (const record of records)
        producer.produce(
          topics.outputTopic,
          null,
          encodeAnalyticsRecord(record),
          analyticsKey(record.source),
          emittedAtMs,
          undefined,
        );
      for (const letter of deadLetters)
        producer.produce(
          topics.dlqTopic,
          null,
          letter.value,
          letter.key,
          emittedAtMs,
          undefined,
          Object.entries(letter.headers).map(([key, value]) => ({ [key]: String(value) })),
        );
    }
    const offsets: RdTopicPartitionOffset[] = plans.flatMap(({ partition, nextOffset }) =>
      nextOffset === undefined ? [] : [{ topic: topics.inputTopic, partition, offset: Number(nextOffset) }],
    );
    if (offsets.length > 0)
      await call("sendOffsetsToTransaction", (done) =>
        producer.sendOffsetsToTransaction(offsets, consumer, CALL_TIMEOUT_MS, done),
      );
    await call("commitTransaction", (done) => producer.commitTransaction(CALL_TIMEOUT_MS, done));
  }

  /** Aborts the failed transaction; a producer that cannot abort (fatal, or unsure) is replaced. */
  async abandon(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    try {
      await call("abortTransaction", (done) => producer.abortTransaction(CALL_TIMEOUT_MS, done));
    } catch (error) {
      this.options.log(`abort failed (${describe(error)}); a new producer will fence this one`);
      this.producer = undefined;
      await this.disconnect(producer);
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await this.disconnect(producer);
  }

  /**
   * Disconnects a producer, waiting at most a little longer than its flush: a close that never calls back
   * would hold the window commit in flight, and with it every resync and `stop()`.
   */
  private async disconnect(producer: RdTransactionalProducer): Promise<void> {
    if (!(await closedWithin((done) => producer.disconnect(5_000, done), DISCONNECT_WAIT_MS)))
      this.options.log(`a producer did not close within ${DISCONNECT_WAIT_MS / 1000} s; going on without it`);
  }

  private async newProducer(): Promise<RdTransactionalProducer> {
    const { binding, connection, clientId, transactionalId, log } = this.options;
    const producer = new binding.Producer({
      ...librdkafkaConnection(connection),
      "client.id": clientId,
      "transactional.id": transactionalId,
      "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
      "enable.idempotence": true,
      acks: "all",
      // A dead letter is an input record as the broker took it, plus headers: allow what the broker allows.
      "message.max.bytes": 1_048_588,
    });
    producer.on("event.error", (error) => log(`producer: ${error.message}`));
    await call("the producer's connect", (done) => producer.connect({ timeout: CALL_TIMEOUT_MS }, done));
    // With the same transactional id, this fences an earlier producer of ours and ends its open transaction.
    try {
      await call("initTransactions", (done) => producer.initTransactions(CALL_TIMEOUT_MS, done));
    } catch (error) {
      // Left connected, librdkafka would go on initialising it and fence the next producer of ours.
      await this.disconnect(producer);
      throw error;
    }
    return producer;
  }
}

/** How much longer than its own timeout a call may take to call back before it counts as lost. */
export const CALLBACK_GRACE_MS = 15_000;

/**
 * A librdkafka call that calls back with an error or nothing, as a promise that also fails when the callback
 * has not come `CALLBACK_GRACE_MS` after the call's own timeout. A callback that never came held a window's
 * commit in flight, with it every resync, and so the consume loop: the member stopped serving rebalances and
 * the whole group stood still until SIGKILL, with the main thread idle (chaos seed 3 on librdkafka, its
 * native stacks taken before the kill). Failing instead sends the window through the rewind rule.
 */
export function call<T = void>(
  what: string,
  start: (done: (error: RdKafkaError | null | undefined, value?: T) => void) => void,
  waitMs = CALL_TIMEOUT_MS + CALLBACK_GRACE_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`librdkafka's ${what} did not call back within ${waitMs / 1000} s`)),
      waitMs,
    );
    start((error, value) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as T);
    });
  });
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `close` called back within `waitMs`: librdkafka's closes can wait forever on a broker that is gone. */
export async function closedWithin(close: (done: () => void) => void, waitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<boolean>((resolve) => close(() => resolve(true)));
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  return inTime;
}
