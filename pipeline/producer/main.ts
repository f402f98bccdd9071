import { randomInt } from "node:crypto";
import type { KafkaConnection } from "../kafka/client.ts";
import { createKafka } from "../kafka/client.ts";
import { librdkafkaUnavailable } from "../kafka/client-choice.ts";
import { explainConnectFailure, isConnectFailure } from "../kafka/connect-errors.ts";
import { ensureTopics, TopicPartitionsError } from "../topics.ts";
import { FlagError, type ProducerArgs, parseProducerArgs, producerCli } from "./args.ts";
import { constantRate, type ProducerRun, ProducerSetupError, runProducer } from "./producer.ts";

const PROGRESS_EVERY_MS = 5_000;
/** Exit codes as the rest of the lab uses them: 2 bad usage or environment, 3 a bug of ours. */
const EXIT = { ok: 0, usageOrEnvironment: 2, internal: 3, interrupted: 130 } as const;

const UNREACHABLE_HINT = "check that Kafka is running there, or point --brokers (or KAFKA_BROKERS) at it";

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A problem the user can fix, shown without a stack trace. */
class CliProblem extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

async function main(): Promise<number> {
  const args = parseProducerArgs(process.argv.slice(2), process.env, () => randomInt(2 ** 31));
  if (args === "help") {
    process.stdout.write(`${await producerCli([]).getHelp()}\n`);
    return EXIT.ok;
  }
  const connection: KafkaConnection = { brokers: args.brokers, ...args.security };
  say(
    `producer: seed ${args.seed} (repeat with --seed ${args.seed}), ${args.rate === "max" ? "max rate" : `${args.rate} records/s`}` +
      ` to ${args.topic} on ${args.brokers.join(",")}${stopText(args)}`,
  );
  await prepareTopic(connection, args);
  const unavailable = librdkafkaUnavailable();
  if (args.client === "librdkafka" && unavailable) {
    throw new CliProblem(
      `--client librdkafka cannot be used: ${unavailable}`,
      "install those, or use --client kafkajs",
    );
  }
  if (args.client === undefined && unavailable)
    say(`producer: using kafkajs; librdkafka is faster but ${unavailable}`);

  const controller = new AbortController();
  const onSignal = (name: string) => {
    if (controller.signal.aborted) {
      say(`producer: ${name} again, quitting without waiting for in-flight sends`);
      process.exit(EXIT.interrupted);
    }
    say(`producer: ${name}, stopping: flushing in-flight sends (${name} again to quit at once)`);
    controller.abort();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  const live = { sent: 0, acked: 0, failed: 0, maxSendDelayMs: 0, ackedAtLastReport: 0 };
  const progress = setInterval(() => {
    const rate = ((live.acked - live.ackedAtLastReport) * 1000) / PROGRESS_EVERY_MS;
    live.ackedAtLastReport = live.acked;
    say(
      `producer: sent ${live.sent}, acked ${live.acked}, failed ${live.failed}, ` +
        `${rate.toFixed(1)} acked/s, max send delay ${live.maxSendDelayMs} ms`,
    );
  }, PROGRESS_EVERY_MS);
  let summary: ProducerRun;
  try {
    summary = await runProducer({
      connection,
      topic: args.topic,
      schedule: args.rate === "max" ? "max" : constantRate(args.rate),
      stopAfter: {
        ...(args.count === undefined ? {} : { count: args.count }),
        ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
      },
      seed: args.seed,
      malformed: args.malformed,
      ...(args.client === undefined ? {} : { client: args.client }),
      signal: controller.signal,
      onSend: (batch) => {
        live.sent += batch.records;
        live.maxSendDelayMs = Math.max(live.maxSendDelayMs, batch.maxSendDelayMs);
      },
      onAck: (ack) => {
        live.acked += ack.records.length;
      },
      onSendError: ({ error, records }) => {
        live.failed += records;
        say(`producer: a send of ${records} record(s) failed after retries, not resent: ${error.message}`);
      },
    });
  } finally {
    clearInterval(progress);
  }
  say(
    `producer: done: sent ${summary.sent}, acked ${summary.acked}, failed ${summary.failed}, unsent ${summary.unsent}, ` +
      `${summary.achievedPerSec.toFixed(1)} acked/s over ${(summary.elapsedMs / 1000).toFixed(1)} s, ` +
      `max send delay ${summary.maxSendDelayMs} ms, seed ${args.seed}, client ${summary.client}`,
  );
  process.stdout.write(`${JSON.stringify({ seed: args.seed, topic: args.topic, ...summary })}\n`);
  return EXIT.ok;
}

/** Creates the topic if it is missing (replication factor 1, like the seed's single broker). */
async function prepareTopic(connection: KafkaConnection, args: ProducerArgs): Promise<void> {
  const admin = createKafka(connection, "login-producer-setup").admin();
  try {
    await admin.connect();
  } catch (error) {
    throw unreachable(connection, error);
  }
  try {
    const created = await ensureTopics(admin, [
      { topic: args.topic, partitions: args.partitions, replicationFactor: 1 },
    ]).catch((error: unknown) => {
      // A listener that wants SASL or TLS may accept the connection and close it at the first request.
      throw isConnectFailure(error) ? unreachable(connection, error) : error;
    });
    if (created.length > 0) say(`producer: created topic ${args.topic} with ${args.partitions} partition(s)`);
  } finally {
    await admin.disconnect();
  }
}

/** Unreachable, or a wrong password or certificate: each has its own fix. */
function unreachable(connection: KafkaConnection, cause: unknown): CliProblem {
  const failure = explainConnectFailure(cause, connection);
  return new CliProblem(failure.message, failure.hint);
}

function stopText(args: ProducerArgs): string {
  const parts = [
    ...(args.count === undefined ? [] : [`${args.count} records`]),
    ...(args.durationMs === undefined ? [] : [`${args.durationMs / 1000} s`]),
  ];
  return parts.length === 0 ? " until stopped" : `, stopping after ${parts.join(" or ")}`;
}

function report(error: unknown): number {
  if (error instanceof FlagError || error instanceof CliProblem) {
    say(`error: ${error.message}\n  fix: ${error.hint}`);
    return EXIT.usageOrEnvironment;
  }
  if (error instanceof ProducerSetupError) {
    const hint =
      error.reason === "unreachable" ? UNREACHABLE_HINT : "create the topic, or name another with --topic";
    say(`error: ${error.message}\n  fix: ${hint}`);
    return EXIT.usageOrEnvironment;
  }
  if (error instanceof TopicPartitionsError) {
    say(`error: ${error.message}\n  fix: run with --partitions ${error.existing}, or name another --topic`);
    return EXIT.usageOrEnvironment;
  }
  say(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.internal;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(report(error)),
);
