import { hideBin } from "yargs/helpers";
import { createKafka } from "../kafka/client.ts";
import { serveMetrics } from "../metrics-server.ts";
import { ensureTopics } from "../topics.ts";
import { Aggregator } from "./aggregator.ts";
import { ConsumerConfigError, parseConsumerArgs } from "./args.ts";
import { createConsumerMetrics } from "./metrics.ts";

/**
 * `npm run consumer`: the aggregator as a service. It creates its topics when missing, serves /metrics,
 * and on SIGTERM or SIGINT commits its open windows, leaves the group and exits 0.
 */
async function main(): Promise<number> {
  const args = await parseConsumerArgs(hideBin(process.argv), process.env);
  const log = (line: string) => process.stderr.write(`[consumer] ${line}\n`);
  const connection = { brokers: args.brokers };

  const admin = createKafka(connection, "login-aggregator-setup").admin();
  try {
    await admin.connect();
    const rf = Math.min(3, (await admin.describeCluster()).brokers.length);
    await ensureTopics(admin, [
      { topic: args.inputTopic, partitions: args.partitions, replicationFactor: rf },
      { topic: args.outputTopic, partitions: 1, replicationFactor: rf },
      { topic: args.dlqTopic, partitions: 1, replicationFactor: rf },
    ]);
  } catch (error) {
    throw new ConsumerConfigError(
      `cannot reach Kafka at ${args.brokers.join(",")}: ${(error as Error).message} (set --brokers or KAFKA_BROKERS)`,
    );
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

  const aggregator = new Aggregator({
    connection,
    groupId: args.group,
    inputTopic: args.inputTopic,
    outputTopic: args.outputTopic,
    dlqTopic: args.dlqTopic,
    windowMs: args.windowMs,
    metrics,
    log,
  });
  await aggregator.start();
  // One machine-readable line, so whoever started the process (the lab) learns the metrics port.
  process.stdout.write(`${JSON.stringify({ event: "ready", metricsPort: port, pid: process.pid })}\n`);
  log(
    `aggregating ${args.inputTopic} → ${args.outputTopic} every ${args.windowMs / 1000} s; metrics on :${port}/metrics`,
  );

  const stopSignal = await Promise.race([
    new Promise<string>((resolve) => process.once("SIGTERM", () => resolve("SIGTERM"))),
    new Promise<string>((resolve) => process.once("SIGINT", () => resolve("SIGINT"))),
    aggregator.failed().then((error) => {
      throw error;
    }),
  ]);
  log(`${stopSignal}: committing open windows and leaving the group`);
  await aggregator.stop();
  await server.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConsumerConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `consumer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
