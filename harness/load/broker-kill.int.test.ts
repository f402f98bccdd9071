import { describe, expect, it, onTestFinished } from "vitest";
import { createLoginGenerator } from "../../pipeline/events/generator.ts";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { loadLibrdkafka } from "../../pipeline/kafka/librdkafka.ts";
import {
  type AckedBatch,
  constantRate,
  recordOffset,
  runProducer,
} from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { startLocalStack } from "../infra/local/local-stack.ts";
import { uniqueName } from "../testing/kafka.ts";
import { endOffsets, readTopic } from "../verify/topic-reader.ts";

const log = (line: string) => process.stderr.write(`[test] ${line}\n`);
const librdkafka = loadLibrdkafka();
const RATE = 3_000;
const LOAD_MS = 45_000;
const SEED = 9;

// kafkajs's idempotent producer fails every later send with OUT_OF_ORDER_SEQUENCE_NUMBER after this fault,
// which is why the lab's driver runs on librdkafka where it is built.
describe.skipIf(!librdkafka.ok)(
  `the librdkafka driver through a broker's death${librdkafka.ok ? "" : ` (skipped: ${librdkafka.why})`}`,
  () => {
    it("knows every send's outcome and keeps an exact ledger when a broker is SIGKILLed and restarted under load", async () => {
      const stack = await startLocalStack({ brokers: 3, kraft: false, prometheus: false, log });
      onTestFinished(() => stack.stop());
      const connection = stack.connection();
      const topic = uniqueName("broker-kill");
      const admin = createKafka(connection, "broker-kill-admin").admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [{ topic, partitions: 6, replicationFactor: 3 }]);
      } finally {
        await admin.disconnect();
      }

      const acks: AckedBatch[] = [];
      const failures: string[] = [];
      const faults = [
        setTimeout(() => void stack.faults.apply("kill", 2).then(() => log("broker 2 killed")), 10_000),
        setTimeout(() => void stack.faults.apply("restart", 2).then(() => log("broker 2 restarted")), 30_000),
      ];
      onTestFinished(() => faults.forEach(clearTimeout));
      const summary = await runProducer({
        client: "librdkafka",
        connection,
        topic,
        schedule: constantRate(RATE),
        stopAfter: { durationMs: LOAD_MS },
        seed: SEED,
        malformed: 0.02,
        onAck: (ack) => acks.push(ack),
        onSendError: ({ error, records }) => failures.push(`${records}: ${error.message}`),
      });
      expect(stack.faults.history.map((f) => f.action)).toEqual(["kill", "restart"]);

      // Every record due was sent, and every one sent was acknowledged: none is of unknown fate.
      expect(failures).toEqual([]);
      expect(summary).toMatchObject({ sent: RATE * (LOAD_MS / 1000), failed: 0, unsent: 0 });
      expect(summary.acked).toBe(summary.sent);

      // The topic holds exactly the acked records, each at the offset its ack named, with its own bytes.
      const ends = await endOffsets(connection, topic);
      expect([...ends.values()].reduce((n, e) => n + Number(e), 0)).toBe(summary.acked);
      const read = new Map<string, Buffer | null>();
      await readTopic(connection, topic, (message, partition) =>
        read.set(`${partition}/${message.offset}`, message.value),
      );
      const landed = acks
        .flatMap((ack) =>
          ack.records.map((record, i) => ({ record, at: `${ack.partition}/${recordOffset(ack, i)}` })),
        )
        .sort((a, b) => a.record.index - b.record.index);
      expect(new Set(landed.map((l) => l.at)).size).toBe(summary.acked);
      let due = 0;
      const again = createLoginGenerator({ seed: SEED, malformed: 0.02, clock: { now: () => due } });
      const wrong = landed.filter((l) => {
        due = l.record.dueTimeMs;
        return !read.get(l.at)?.equals(again.next().value);
      });
      expect(wrong.slice(0, 3)).toEqual([]);
    });
  },
);
