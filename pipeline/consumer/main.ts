import { hideBin } from "yargs/helpers";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { explainConnectFailure, isConnectFailure } from "../kafka/connect-errors.ts";
import { serveMetrics } from "../metrics-server.ts";
import { ensureTopics } from "../topics.ts";
import type { Aggregator } from "./aggregator-core.ts";
import { ConsumerConfigError, parseConsumerArgs } from "./args.ts";
import { STOP_LIMIT_MS, stopWithin } from "./bounded-stop.ts";
import { KafkajsAggregator } from "./kafkajs-aggregator.ts";
import { LibrdkafkaAggregator } from "./librdkafka-aggregator.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { topicProblem } from "./topic-problem.ts";

/**
 * `npm run consumer`: the aggregator as a service. It creates its topics when missing, serves /metrics,
 * and on SIGTERM or SIGINT commits its open windows, leaves the group and exits 0.
 */
async function main(): Promise<number> {
  const args = await parseConsumerArgs(hideBin(process.argv), process.env);
  const log = (line: string) => process.stderr.write(`[consumer] ${line}\n`);
  const connection: KafkaConnection = { brokers: args.brokers, ...args.security };

  const admin = createKafka(connection, "login-aggregator-setup").admin();
  try {
    await admin.connect().catch((error: unknown) => {
      const failure = explainConnectFailure(error, connection);
      throw new ConsumerConfigError(failure.message, failure.hint);
    });
    const rf = Math.min(3, (await admin.describeCluster()).brokers.length);
    const specs = [
      { topic: args.inputTopic, partitions: args.partitions, replicationFactor: rf },
      { topic: args.outputTopic, partitions: 1, replicationFactor: rf },
      { topic: args.dlqTopic, partitions: 1, replicationFactor: rf },
    ];
    await ensureTopics(admin, specs).catch((error: unknown) => {
      // A listener that wants SASL or TLS may accept the connection and close it at the first request.
      if (!isConnectFailure(error)) throw topicProblem(error, specs, args.brokers);
      const failure = explainConnectFailure(error, connection);
      throw new ConsumerConfigError(failure.message, failure.hint);
    });
  } finally {
    await admin.disconnect();
  }

  const metrics = createConsumerMetrics();
  const server = await serveMetrics(metrics.registry, args.metricsPort, args.metricsHost).catch(
    (error: Error) => {
      throw new ConsumerConfigError(
        `--metrics-port: cannot listen on ${args.metricsHost}:${args.metricsPort}: ${error.message}`,
      );
    },
  );
  const { port } = server;

  const options = {
    connection,
    groupId: args.group,
    inputTopic: args.inputTopic,
    outputTopic: args.outputTopic,
    dlqTopic: args.dlqTopic,
    windowMs: args.windowMs,
    metrics,
    log,
  };
  const aggregator: Aggregator =
    args.client === "librdkafka" ? new LibrdkafkaAggregator(options) : new KafkajsAggregator(options);
  await aggregator.start();
  // One machine-readable line, so whoever started the process (the lab) learns the metrics port.
  process.stdout.write(`${JSON.stringify({ event: "ready", metricsPort: port, pid: process.pid })}\n`);
  log(
    `aggregating ${args.inputTopic} → ${args.outputTopic} every ${args.windowMs / 1000} s on ${args.client}; metrics on :${port}/metrics`,
  );

  const stopSignal = await Promise.race([
    new Promise<string>((resolve) => process.once("SIGTERM", () => resolve("SIGTERM"))),
    new Promise<string>((resolve) => process.once("SIGINT", () => resolve("SIGINT"))),
    aggregator.failed().then((error) => {
      throw error;
    }),
  ]);
  log(`${stopSignal}: committing open windows and leaving the group`);
  if (await stopWithin(() => aggregator.stop())) log("stopped; closing /metrics and exiting");
  else
    log(
      `the stop did not finish within ${STOP_LIMIT_MS / 1000} s; exiting: the partitions' next owner counts what this one did not commit`,
    );
  await server.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConsumerConfigError) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `  fix: ${error.hint}\n` : ""}`);
      process.exit(2);
    }
    process.stderr.write(
      `consumer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
