import { createKafka, parseBrokers } from "../../../pipeline/kafka/client.ts";

/**
 * The librdkafka aggregator's wedge of issue 16 (finding 3), reduced to its effect: a member that holds its
 * partitions in the group, reads and heartbeats, but never publishes a window or commits an offset. Its
 * client id follows the pipeline's (`login-aggregator-<pid>-…`) so the lab can name it by consumer index.
 */
const env = process.env;
for (const name of ["KAFKA_BROKERS", "CONSUMER_GROUP", "INPUT_TOPIC"]) {
  if (!env[name]) {
    process.stderr.write(`error: ${name} is not set; the lab passes it to every aggregator\n`);
    process.exit(2);
  }
}
const kafka = createKafka(
  { brokers: parseBrokers(env.KAFKA_BROKERS ?? "") },
  `login-aggregator-${process.pid}-wedge`,
);
const consumer = kafka.consumer({
  groupId: env.CONSUMER_GROUP ?? "",
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
});
await consumer.connect();
await consumer.subscribe({ topic: env.INPUT_TOPIC ?? "", fromBeginning: true });
await consumer.run({ autoCommit: false, eachMessage: async () => {} });
process.stdout.write(`${JSON.stringify({ event: "ready", pid: process.pid })}\n`);
await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
await consumer.disconnect();
process.exit(0);
