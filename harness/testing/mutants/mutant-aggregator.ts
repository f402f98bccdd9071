import type { CoreRules } from "../../../pipeline/consumer/aggregator-core.ts";
import { CONSUMER_ENV, parseConsumerArgs } from "../../../pipeline/consumer/args.ts";
import { KafkajsAggregator } from "../../../pipeline/consumer/kafkajs-aggregator.ts";
import { createConsumerMetrics } from "../../../pipeline/consumer/metrics.ts";

/**
 * Deliberately broken aggregators, kept as test fixtures: each is the pipeline's own kafkajs aggregator (the
 * environment the lab passes, the ready line, JSON records with their source range, dead letters with their
 * headers, transactions) with one step of its core replaced by a defect, so a test can show the lab fails it
 * by name.
 */
export async function runMutant(
  name: string,
  defect: Partial<CoreRules>,
  instanceId = `${name}-${process.pid}`,
): Promise<void> {
  const env = process.env;
  for (const flag of ["brokers", "group", "input-topic", "output-topic", "dlq-topic", "window"] as const) {
    if (!env[CONSUMER_ENV[flag]]) {
      process.stderr.write(
        `error: ${CONSUMER_ENV[flag]} is not set; the lab passes it to every aggregator\n`,
      );
      process.exit(2);
    }
  }
  const args = await parseConsumerArgs([], env);
  const log = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const aggregator = new KafkajsAggregator({
    connection: { brokers: args.brokers, ...args.security },
    groupId: args.group,
    inputTopic: args.inputTopic,
    outputTopic: args.outputTopic,
    dlqTopic: args.dlqTopic,
    windowMs: args.windowMs,
    metrics: createConsumerMetrics({ defaultMetrics: false }),
    instanceId,
    log,
    rules: defect,
  });
  await aggregator.start();
  process.stdout.write(`${JSON.stringify({ event: "ready", pid: process.pid })}\n`);
  log(
    `aggregating ${args.inputTopic} → ${args.outputTopic} every ${args.windowMs} ms with one defect: ${name}`,
  );
  const ended = await Promise.race([
    new Promise<undefined>((resolve) => process.once("SIGTERM", () => resolve(undefined))),
    aggregator.failed(),
  ]);
  if (ended) {
    log(`failed: ${ended.message}`);
    process.exit(1);
  }
  await aggregator.stop();
  process.exit(0);
}
