import { randomBytes } from "node:crypto";
import { createLoginGenerator } from "../../pipeline/events/generator.ts";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { runProducer } from "../../pipeline/producer/producer.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { LabError } from "../core/errors.ts";
import type { BenchContext } from "./context.ts";
import { type ProducerPerformanceFigures, runProducerPerformance } from "./kafka-tools.ts";

export interface ProducerFigures {
  events: number;
  partitions: number;
  ours: { perSec: number; elapsedMs: number; meanValueBytes: number };
  kafka: ProducerPerformanceFigures & { recordSize: number };
  /** Ours over ProducerPerformance's records/s. */
  ratio: number;
}

const PARTITIONS = 6;
const RECORD_SIZE = 200;
const SEED = 1;

/** Our producer at full speed against Kafka's ProducerPerformance, same broker, count and partitions. */
export async function benchProducer(context: BenchContext, events: number): Promise<ProducerFigures> {
  const { stack, log } = context;
  const name = `bench-producer-${randomBytes(4).toString("hex")}`;
  const admin = createKafka(stack.connection(), `${name}-admin`).admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      ["ours", "kafka"].map((who) => ({
        topic: `${name}-${who}`,
        partitions: PARTITIONS,
        replicationFactor: 1,
      })),
    );
  } finally {
    await admin.disconnect();
  }

  log(`producer: ours, ${events} events to ${PARTITIONS} partitions…`);
  const ours = await runProducer({
    connection: stack.connection(),
    topic: `${name}-ours`,
    schedule: "max",
    stopAfter: { count: events },
    seed: SEED,
    malformed: 0,
  });
  if (ours.acked !== events) {
    throw new LabError("KAFKA", `our producer had ${ours.acked} of ${events} records acknowledged`);
  }
  log(`producer: Kafka's ProducerPerformance, ${events} records of ${RECORD_SIZE} bytes…`);
  const kafka = await runProducerPerformance(
    {
      dist: context.dist,
      bootstrapServers: stack.bootstrapServers(),
      topic: `${name}-kafka`,
      count: events,
      logDir: context.logDir,
    },
    RECORD_SIZE,
  );
  return {
    events,
    partitions: PARTITIONS,
    ours: { perSec: ours.achievedPerSec, elapsedMs: ours.elapsedMs, meanValueBytes: meanValueBytes() },
    kafka: { ...kafka, recordSize: RECORD_SIZE },
    ratio: ours.achievedPerSec / kafka.perSec,
  };
}

/** Our records are JSON of varying length (plus a 36-byte key); ProducerPerformance's are a fixed size. */
function meanValueBytes(): number {
  const generator = createLoginGenerator({ seed: SEED, clock: { now: () => 0 } });
  const sample = 2_000;
  let bytes = 0;
  for (let i = 0; i < sample; i += 1) bytes += generator.next().value.length;
  return bytes / sample;
}
