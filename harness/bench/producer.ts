import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLoginGenerator } from "../../pipeline/events/generator.ts";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { librdkafkaUnavailable } from "../../pipeline/kafka/client-choice.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import { runProducer } from "../../pipeline/producer/producer.ts";
import { packChunk } from "../../pipeline/producer/record-chunk.ts";
import { REQUEST_CHUNK } from "../../pipeline/producer/send-loop.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { LabError } from "../core/errors.ts";
import { median } from "../core/stats.ts";
import { runDriverFleet } from "../load/driver-fleet.ts";
import { alternate, type Contender, summarise } from "./alternate.ts";
import type { BenchContext } from "./context.ts";
import { runProducerPerformance } from "./kafka-tools.ts";

export const PRODUCER_PERFORMANCE = "ProducerPerformance";
export const PRODUCER_PARTITIONS = [1, 6] as const;

export interface ProducerCase {
  partitions: number;
  /** Ours on each client and ProducerPerformance, each with its ratio to ProducerPerformance. */
  contenders: Contender[];
}

export interface ProducerFigures {
  events: number;
  rounds: number;
  meanValueBytes: number;
  cases: ProducerCase[];
  /** Driver processes of the extra contender on the fastest client (1: no extra contender). */
  processes: number;
  /** Why ours on librdkafka is missing, when it is. */
  librdkafkaMissing?: string;
  /**
   * The generator's work per record (µs) on the driver's worker thread, timed alone without Kafka: the
   * same events made and packed in the chunks the send loop asks for.
   */
  generatorMicrosPerRecord: number;
}

const SEED = 1;
/** Distinct payloads for ProducerPerformance to pick from: enough that its records are as varied as ours. */
const PAYLOAD_LINES = 10_000;

const ours = (client: ClientName) => `ours on ${client}`;
const oursIn = (client: ClientName, processes: number) => `${ours(client)}, ${processes} processes`;

/**
 * Our driver at full speed on each client against Kafka's ProducerPerformance, on the same broker, with the
 * same count of the same login events (valid JSON of ~200 B; ProducerPerformance picks them from a payload
 * file), acks=all and idempotence, on 1 and 6 partitions. The contenders alternate round by round; every
 * run writes a fresh topic. With `processes` > 1, ours on the fastest client also runs as that many driver
 * processes (`--producers`), each sending its share of the count, timed from their shared start.
 */
export async function benchProducer(
  context: BenchContext,
  events: number,
  rounds: number,
  processes = 1,
): Promise<ProducerFigures> {
  const { stack, log } = context;
  const connection = stack.connection();
  const missing = librdkafkaUnavailable();
  const clients: ClientName[] = missing ? ["kafkajs"] : ["kafkajs", "librdkafka"];
  if (missing) log(`producer: ours on librdkafka left out: ${missing}`);
  const payload = writePayloadFile(context.logDir);
  const name = `bench-producer-${randomBytes(4).toString("hex")}`;
  const fastest = clients.at(-1) as ClientName;
  const fleet = processes > 1 ? [oursIn(fastest, processes)] : [];
  const cases: ProducerCase[] = [];
  for (const partitions of PRODUCER_PARTITIONS) {
    const names = [...clients.map(ours), ...fleet, PRODUCER_PERFORMANCE];
    const samples = await alternate(names, rounds, async (who, round) => {
      const topic = `${name}-${partitions}p-${round}-${who.replace(/\W+/g, "-")}`;
      await createTopic(connection, topic, partitions);
      log(`producer: ${who}, ${events} events to ${partitions} partition(s), round ${round} of ${rounds}…`);
      if (who === PRODUCER_PERFORMANCE) {
        const run = { dist: context.dist, bootstrapServers: stack.bootstrapServers(), topic, count: events };
        return (
          await runProducerPerformance({ ...run, logDir: context.logDir }, { payloadFile: payload.file })
        ).perSec;
      }
      const client = clients.find((c) => ours(c) === who) ?? fastest;
      const run = fleet.includes(who)
        ? await runDriverFleet({
            processes,
            init: {
              connection,
              topic,
              client,
              seed: SEED,
              malformed: 0,
              load: { kind: "max", count: events },
              forwardAcks: false,
            },
            log,
          })
        : await runProducer({
            client,
            connection,
            topic,
            schedule: "max",
            stopAfter: { count: events },
            seed: SEED,
            malformed: 0,
          });
      if (run.acked !== events) {
        throw new LabError("KAFKA", `${who} had ${run.acked} of ${events} records acknowledged`);
      }
      return run.achievedPerSec;
    });
    cases.push({ partitions, contenders: summarise(samples, PRODUCER_PERFORMANCE) });
  }
  log("producer: the generator's work per record, alone, without Kafka…");
  return {
    events,
    rounds,
    meanValueBytes: payload.meanBytes,
    cases,
    processes,
    ...(missing ? { librdkafkaMissing: missing } : {}),
    generatorMicrosPerRecord: generatorCostPerRecord(),
  };
}

/** Records per timed repetition of the generator alone, made in the send loop's request chunks. */
export const GENERATOR_RECORDS = 200_000;
const GENERATOR_REPETITIONS = 5;

/** Median µs per record of what the driver's worker does: `generator.next()` and `packChunk`. */
function generatorCostPerRecord(): number {
  const timings: number[] = [];
  for (let repetition = 0; repetition < GENERATOR_REPETITIONS; repetition += 1) {
    let dueMs = Date.now();
    const generator = createLoginGenerator({ seed: SEED, malformed: 0, clock: { now: () => dueMs } });
    const started = process.hrtime.bigint();
    for (let made = 0; made < GENERATOR_RECORDS; made += REQUEST_CHUNK) {
      packChunk(
        Array.from({ length: REQUEST_CHUNK }, () => {
          dueMs += 0.02;
          return generator.next();
        }),
      );
    }
    timings.push(Number(process.hrtime.bigint() - started) / 1_000 / GENERATOR_RECORDS);
  }
  return median(timings);
}

async function createTopic(connection: KafkaConnection, topic: string, partitions: number): Promise<void> {
  const admin = createKafka(connection, `${topic}-admin`).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
}

/** Valid login events from our generator, one per line, for ProducerPerformance's --payload-file. */
function writePayloadFile(dir: string): { file: string; meanBytes: number } {
  const generator = createLoginGenerator({ seed: SEED, clock: { now: () => Date.now() } });
  const lines = Array.from({ length: PAYLOAD_LINES }, () => generator.next().value.toString("utf8"));
  const file = join(dir, "login-events.payload");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return { file, meanBytes: lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length };
}
