import type { IHeaders, KafkaMessage, Producer } from "kafkajs";
import {
  type AnalyticsRecord,
  analyticsKey,
  encodeAnalyticsRecord,
} from "../../../pipeline/consumer/aggregate/record.ts";
import { type InvalidReason, validateRecord } from "../../../pipeline/events/login-event.ts";
import { createKafka, parseBrokers } from "../../../pipeline/kafka/client.ts";

/**
 * Deliberately broken aggregators, kept as test fixtures: each speaks the analytics contract (the
 * environment the lab passes, the ready line, JSON records with their source range, dead letters with
 * their headers, transactions) but carries one defect, so a test can show the lab fails it by name.
 */
export interface Flaws {
  /** How often each record is counted: 2 is the Fetch seed's bug (every record appended twice). */
  countEachRecord: number;
  /** The consumer commits offsets as it reads (kafkajs auto-commit), outside the window's transaction. */
  commitOutsideTransaction: boolean;
  /** A window whose transaction fails is dropped and reading goes on, with no rewind to its first offset. */
  dropFailedWindow: boolean;
  /** The second record of each window is counted nowhere (nor dead-lettered), yet the window claims it. */
  skipOneInWindow?: boolean;
}

interface OpenWindow {
  openedAt: number;
  from: bigint;
  to: bigint;
  counted: number;
  total: number;
  invalid: number;
  byDeviceType: Map<string, number>;
  byLocale: Map<string, number>;
  byAppVersion: Map<string, number>;
  invalidByReason: Map<string, number>;
  minSec: number;
  maxSec: number;
  skipped: boolean;
  deadLetters: { key: Buffer | null; value: Buffer | null; headers: IHeaders }[];
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    process.stderr.write(`error: ${name} is not set; the lab passes it to every aggregator\n`);
    process.exit(2);
  }
  return value;
}

/** Dead letters in requests of at most 512 KiB, since a near-1 MB reject fills a request on its own. */
function* chunks<T extends { value: Buffer | null }>(letters: T[]): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const size = letter.value?.length ?? 0;
    if (chunk.length > 0 && bytes + size > 512 * 1024) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(letter);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function bump(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export async function runMutant(name: string, flaws: Flaws): Promise<void> {
  const env = process.env;
  const brokers = parseBrokers(required(env, "KAFKA_BROKERS"));
  const group = required(env, "CONSUMER_GROUP");
  const input = required(env, "INPUT_TOPIC");
  const output = required(env, "OUTPUT_TOPIC");
  const dlq = required(env, "DLQ_TOPIC");
  const windowMs = Number(required(env, "WINDOW_MS"));
  const log = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const instanceId = `${name}-${process.pid}`;

  const kafka = createKafka({ brokers }, instanceId);
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const producers = new Map<number, Producer>();
  const windows = new Map<number, OpenWindow>();
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = (work: () => Promise<void>) => {
    const run = lock.then(work, work);
    lock = run.catch(() => {});
    return run;
  };

  const producerFor = async (partition: number): Promise<Producer> => {
    let producer = producers.get(partition);
    if (!producer) {
      producer = kafka.producer({
        transactionalId: `${group}-${input}-${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      producers.set(partition, producer);
    }
    return producer;
  };

  const add = (partition: number, message: KafkaMessage) => {
    const offset = BigInt(message.offset);
    let w = windows.get(partition);
    if (!w) {
      w = {
        openedAt: Date.now(),
        from: offset,
        to: offset,
        counted: 0,
        total: 0,
        invalid: 0,
        byDeviceType: new Map(),
        byLocale: new Map(),
        byAppVersion: new Map(),
        invalidByReason: new Map(),
        minSec: Number.POSITIVE_INFINITY,
        maxSec: Number.NEGATIVE_INFINITY,
        skipped: false,
        deadLetters: [],
      };
      windows.set(partition, w);
    }
    w.to = offset;
    if (flaws.skipOneInWindow && !w.skipped && offset > w.from) {
      w.skipped = true;
      return;
    }
    const n = flaws.countEachRecord;
    w.counted += n;
    const result = validateRecord(message.value);
    if (result.ok) {
      w.total += n;
      bump(w.byDeviceType, result.event.deviceType, n);
      bump(w.byLocale, result.event.locale, n);
      bump(w.byAppVersion, result.event.appVersion, n);
      w.minSec = Math.min(w.minSec, result.event.timestampSec);
      w.maxSec = Math.max(w.maxSec, result.event.timestampSec);
    } else {
      w.invalid += n;
      bump(w.invalidByReason, result.reason, n);
      for (let i = 0; i < n; i += 1)
        w.deadLetters.push({
          key: message.key,
          value: message.value,
          headers: {
            "dlq.reason": result.reason,
            "dlq.source.topic": input,
            "dlq.source.partition": String(partition),
            "dlq.source.offset": message.offset,
          },
        });
    }
  };

  const toRecord = (partition: number, w: OpenWindow): AnalyticsRecord => ({
    schema_version: 1,
    window_start: new Date(w.openedAt).toISOString(),
    window_end: new Date(Math.max(Date.now(), w.openedAt + 1)).toISOString(),
    total: w.total,
    by_device_type: Object.fromEntries(w.byDeviceType),
    by_locale: Object.fromEntries(w.byLocale),
    by_app_version: Object.fromEntries(w.byAppVersion),
    invalid: w.invalid,
    invalid_by_reason: Object.fromEntries(w.invalidByReason) as Partial<Record<InvalidReason, number>>,
    event_time: w.total === 0 ? null : { min_sec: w.minSec, max_sec: w.maxSec },
    // A consumer that counts each record twice claims the range its count spans, so that each record
    // it publishes stays self-consistent and the double count must be found across records.
    source: {
      topic: input,
      partition,
      from_offset: w.from.toString(),
      to_offset: (flaws.countEachRecord === 1 ? w.to : w.from + BigInt(w.counted) - 1n).toString(),
    },
    aggregator: { instance_id: instanceId, emitted_at: new Date().toISOString() },
  });

  const flush = async (partition: number): Promise<void> => {
    const w = windows.get(partition);
    windows.delete(partition);
    if (!w) return;
    const record = toRecord(partition, w);
    const producer = await producerFor(partition);
    try {
      const txn = await producer.transaction();
      try {
        await txn.send({
          topic: output,
          acks: -1,
          messages: [{ key: analyticsKey(record.source), value: encodeAnalyticsRecord(record) }],
        });
        for (const letters of chunks(w.deadLetters))
          await txn.send({ topic: dlq, acks: -1, messages: letters });
        if (!flaws.commitOutsideTransaction) {
          await txn.sendOffsets({
            consumerGroupId: group,
            topics: [{ topic: input, partitions: [{ partition, offset: (w.to + 1n).toString() }] }],
          });
        }
        await txn.commit();
      } catch (error) {
        await txn.abort().catch(() => {});
        throw error;
      }
    } catch (error) {
      if (flaws.dropFailedWindow) {
        // Keeps its producer too: kafkajs sets a producer's epoch once, so a fenced one stays fenced.
        log(`partition ${partition}: window ${w.from}–${w.to} failed (${(error as Error).message}); dropped`);
        return;
      }
      producers.delete(partition);
      await producer.disconnect().catch(() => {});
      log(`partition ${partition}: window failed (${(error as Error).message}); reading it again`);
      consumer.seek({ topic: input, partition, offset: w.from.toString() });
    }
  };

  consumer.on(consumer.events.GROUP_JOIN, () => {
    // Every partition restarts from its committed offset in a new generation: nothing open is kept.
    void exclusive(async () => {
      windows.clear();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    autoCommit: flaws.commitOutsideTransaction,
    autoCommitInterval: 500,
    eachBatch: ({ batch }) =>
      exclusive(async () => {
        for (const message of batch.messages) add(batch.partition, message);
      }),
  });
  const timer = setInterval(() => {
    void exclusive(async () => {
      for (const [partition, w] of [...windows]) {
        if (Date.now() - w.openedAt >= windowMs) await flush(partition);
      }
    }).catch((error: Error) => log(`flush failed: ${error.message}`));
  }, 200);
  process.stdout.write(`${JSON.stringify({ event: "ready", pid: process.pid })}\n`);
  log(`aggregating ${input} → ${output} every ${windowMs} ms with flaws ${JSON.stringify(flaws)}`);

  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  clearInterval(timer);
  await consumer.stop();
  await exclusive(async () => {
    for (const partition of [...windows.keys()]) await flush(partition);
  });
  await consumer.disconnect();
  await Promise.allSettled([...producers.values()].map((p) => p.disconnect()));
  process.exit(0);
}
