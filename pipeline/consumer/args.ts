import yargs from "yargs";
import { parseDuration } from "../duration.ts";
import { type KafkaConnection, parseBrokers } from "../kafka/client.ts";
import { librdkafkaUnavailable } from "../kafka/client-choice.ts";
import { CLIENT_NAMES, type ClientName } from "../kafka/record-producer.ts";
import {
  SECURITY_ENV,
  SECURITY_FLAGS,
  SecurityConfigError,
  type SecurityFlag,
  securityFrom,
} from "../kafka/security.ts";
import { DEFAULT_TOPICS } from "../topics.ts";

export interface ConsumerArgs {
  brokers: string[];
  group: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
  windowMs: number;
  metricsPort: number;
  metricsHost: string;
  partitions: number;
  /** kafkajs (the seed's client, fenced by a transactional id per partition) or librdkafka (KIP-447). */
  client: ClientName;
  /** SASL and TLS, when the cluster wants them. */
  security: Pick<KafkaConnection, "sasl" | "ssl">;
}

/** A setting or a state of the cluster the user can fix; `hint` says how. */
export class ConsumerConfigError extends Error {
  override readonly name = "ConsumerConfigError";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Every flag has an environment variable; a flag wins over its variable. */
export const CONSUMER_ENV = {
  brokers: "KAFKA_BROKERS",
  group: "CONSUMER_GROUP",
  "input-topic": "INPUT_TOPIC",
  "output-topic": "OUTPUT_TOPIC",
  "dlq-topic": "DLQ_TOPIC",
  window: "WINDOW",
  "metrics-port": "METRICS_PORT",
  "metrics-host": "METRICS_HOST",
  partitions: "INPUT_PARTITIONS",
  client: "AGGREGATOR_CLIENT",
} as const;

/** Security flags are text, read with their environment variables by pipeline/kafka/security.ts. */
function securityOption(flag: SecurityFlag) {
  return { type: "string", describe: `${SECURITY_FLAGS[flag]} [${SECURITY_ENV[flag]}]` } as const;
}

/** Parses the consumer's flags and environment; throws ConsumerConfigError naming the flag and the fix. */
export async function parseConsumerArgs(argv: string[], env: NodeJS.ProcessEnv): Promise<ConsumerArgs> {
  const parsed = await readFlags(argv, env);
  // Checked in this order, so that of several mistakes the same one is named first.
  const brokers = brokersFrom(parsed.brokers);
  const windowMs = windowFrom(parsed.window);
  const metricsPort = metricsPortFrom(parsed["metrics-port"]);
  const partitions = partitionsFrom(parsed.partitions);
  checkNames(parsed);
  const client = clientFrom(parsed.client);
  return {
    brokers,
    group: parsed.group,
    inputTopic: parsed["input-topic"],
    outputTopic: parsed["output-topic"],
    dlqTopic: parsed["dlq-topic"],
    windowMs,
    metricsPort,
    metricsHost: parsed["metrics-host"],
    partitions,
    client,
    security: securityOf(parsed, env),
  };
}

type ConsumerFlags = Awaited<ReturnType<typeof readFlags>>;

/** The flags as text, each defaulting to its environment variable; yargs refuses unknown ones. */
function readFlags(argv: string[], env: NodeJS.ProcessEnv) {
  const fromEnv = (flag: keyof typeof CONSUMER_ENV) => env[CONSUMER_ENV[flag]];
  return yargs(argv)
    .scriptName("npm run consumer --")
    .usage("$0 [options]\n\nAggregates user-login per window into user-login-analytics, exactly once.")
    .option("brokers", {
      type: "string",
      default: fromEnv("brokers") ?? "localhost:29092",
      describe: `bootstrap servers host:port,… [${CONSUMER_ENV.brokers}]`,
    })
    .option("group", {
      type: "string",
      default: fromEnv("group") ?? "user-login-aggregator",
      describe: `consumer group [${CONSUMER_ENV.group}]`,
    })
    .option("input-topic", {
      type: "string",
      default: fromEnv("input-topic") ?? DEFAULT_TOPICS.input,
      describe: `[${CONSUMER_ENV["input-topic"]}]`,
    })
    .option("output-topic", {
      type: "string",
      default: fromEnv("output-topic") ?? DEFAULT_TOPICS.output,
      describe: `[${CONSUMER_ENV["output-topic"]}]`,
    })
    .option("dlq-topic", {
      type: "string",
      default: fromEnv("dlq-topic") ?? DEFAULT_TOPICS.dlq,
      describe: `[${CONSUMER_ENV["dlq-topic"]}]`,
    })
    .option("window", {
      type: "string",
      default: fromEnv("window") ?? "20s",
      describe: `tumbling window length, e.g. 20s [${CONSUMER_ENV.window}]`,
    })
    .option("metrics-port", {
      type: "string",
      default: fromEnv("metrics-port") ?? "9997",
      describe: `port of /metrics [${CONSUMER_ENV["metrics-port"]}]`,
    })
    .option("metrics-host", {
      type: "string",
      default: fromEnv("metrics-host") ?? "0.0.0.0",
      describe: `address /metrics listens on [${CONSUMER_ENV["metrics-host"]}]`,
    })
    .option("partitions", {
      type: "string",
      default: fromEnv("partitions") ?? "1",
      describe: `partitions of the input topic if it must be created [${CONSUMER_ENV.partitions}]`,
    })
    .option("client", {
      type: "string",
      default: fromEnv("client") ?? "kafkajs",
      describe: `Kafka client: ${CLIENT_NAMES.join(" or ")} [${CONSUMER_ENV.client}]`,
    })
    .option("sasl-mechanism", securityOption("sasl-mechanism"))
    .option("sasl-username", securityOption("sasl-username"))
    .option("sasl-password-file", securityOption("sasl-password-file"))
    .option("tls", securityOption("tls"))
    .option("tls-ca", securityOption("tls-ca"))
    .option("tls-insecure", securityOption("tls-insecure"))
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw new ConsumerConfigError(message ?? error?.message ?? "bad arguments");
    })
    .parseAsync();
}

function brokersFrom(text: string): string[] {
  const brokers = parseBrokers(text);
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d{1,5}$/.test(b))) {
    throw new ConsumerConfigError(
      `--brokers: "${text}" is not a list of host:port (set it with --brokers or ${CONSUMER_ENV.brokers})`,
    );
  }
  return brokers;
}

function windowFrom(text: string): number {
  let windowMs: number;
  try {
    windowMs = parseDuration(text);
  } catch (error) {
    throw new ConsumerConfigError(`--window: ${(error as Error).message}`);
  }
  if (windowMs < 100) throw new ConsumerConfigError(`--window: ${text} is too short; use 100ms or more`);
  return windowMs;
}

function metricsPortFrom(text: string): number {
  const metricsPort = Number(text);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535) {
    throw new ConsumerConfigError(
      `--metrics-port: "${text}" is not a port number (0–65535; 0 picks a free one)`,
    );
  }
  return metricsPort;
}

function partitionsFrom(text: string): number {
  const partitions = Number(text);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new ConsumerConfigError(`--partitions: "${text}" is not a whole number of 1 or more`);
  }
  return partitions;
}

/** The group and topics are not empty, and the topics are names Kafka accepts. */
function checkNames(parsed: ConsumerFlags): void {
  for (const flag of ["group", "input-topic", "output-topic", "dlq-topic"] as const) {
    if (parsed[flag].trim() === "") throw new ConsumerConfigError(`--${flag} must not be empty`);
  }
  for (const flag of ["input-topic", "output-topic", "dlq-topic"] as const) {
    const name = parsed[flag];
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name) || name === "." || name === "..")
      throw new ConsumerConfigError(
        `--${flag}: ${name} is not a Kafka topic name`,
        "use 1 to 249 of a-z A-Z 0-9 . _ -",
      );
  }
}

function clientFrom(text: string): ClientName {
  const client = text as ClientName;
  if (!CLIENT_NAMES.includes(client))
    throw new ConsumerConfigError(
      `--client: "${text}" is not a client this aggregator runs on`,
      `use ${CLIENT_NAMES.join(" or ")} (set it with --client or ${CONSUMER_ENV.client})`,
    );
  const unavailable = client === "librdkafka" ? librdkafkaUnavailable() : undefined;
  if (unavailable)
    throw new ConsumerConfigError(`--client librdkafka: ${unavailable}`, "or run it with --client kafkajs");
  return client;
}

function securityOf(parsed: ConsumerFlags, env: NodeJS.ProcessEnv): ConsumerArgs["security"] {
  try {
    return securityFrom(
      Object.fromEntries(
        Object.keys(SECURITY_FLAGS).map((flag) => {
          const value: unknown = parsed[flag as SecurityFlag];
          return [flag, typeof value === "string" ? value : undefined];
        }),
      ),
      env,
    );
  } catch (error) {
    if (error instanceof SecurityConfigError) throw new ConsumerConfigError(error.message, error.hint);
    throw error;
  }
}
