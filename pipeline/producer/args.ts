import yargs, { type Argv } from "yargs";
import { parseDuration } from "../duration.ts";
import { type KafkaConnection, parseBrokers } from "../kafka/client.ts";
import { CLIENT_NAMES, type ClientName } from "../kafka/record-producer.ts";
import {
  SECURITY_ENV,
  SECURITY_FLAGS,
  SecurityConfigError,
  type SecurityFlag,
  securityFrom,
} from "../kafka/security.ts";
import { DEFAULT_TOPICS } from "../topics.ts";

/** What the producer CLI was asked to do, every value checked. */
export interface ProducerArgs {
  brokers: string[];
  topic: string;
  /** Used only when the topic has to be created. */
  partitions: number;
  rate: number | "max";
  count?: number;
  durationMs?: number;
  seed: number;
  malformed: number;
  /** SASL and TLS, when the cluster wants them. */
  security: Pick<KafkaConnection, "sasl" | "ssl">;
  /** Left out: the fastest client installed. */
  client?: ClientName;
}

/** A flag (or its environment variable) with a bad value: which one, what was wrong, how to fix it. */
export class FlagError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "FlagError";
  }
}

const FLAGS = {
  brokers: {
    env: "KAFKA_BROKERS",
    describe: "Kafka bootstrap servers, host:port[,host:port…]",
    default: "localhost:29092",
  },
  topic: { env: "PRODUCER_TOPIC", describe: "topic to write login events to", default: DEFAULT_TOPICS.input },
  partitions: {
    env: "PRODUCER_PARTITIONS",
    describe: "partitions, if the topic has to be created",
    default: "1",
  },
  rate: {
    env: "PRODUCER_RATE",
    describe: 'records per second, or "max" for as fast as acks allow',
    default: "2",
  },
  count: { env: "PRODUCER_COUNT", describe: "stop after this many records", default: undefined },
  duration: { env: "PRODUCER_DURATION", describe: "stop after this long, e.g. 45s, 5m", default: undefined },
  seed: {
    env: "PRODUCER_SEED",
    describe: "seed of the generated data (random if left out, and printed)",
    default: undefined,
  },
  malformed: { env: "PRODUCER_MALFORMED", describe: "share of malformed records, 0..1", default: "0" },
  client: {
    env: "PRODUCER_CLIENT",
    describe: "client library, kafkajs or librdkafka (librdkafka where it is built, else kafkajs)",
    default: undefined,
  },
} as const;
type FlagName = keyof typeof FLAGS;

/** The yargs definition, shared by parsing and `--help`. Every flag is read as text and checked by us. */
export function producerCli(argv: readonly string[]): Argv {
  let cli = yargs([...argv])
    .scriptName("npm run producer --")
    .usage(
      "$0 [flags]\n\nWrites seeded login events to Kafka on an open-model schedule; Ctrl-C stops it cleanly.",
    )
    .strict()
    .version(false)
    .help(false)
    .option("help", { alias: "h", type: "boolean", describe: "show this help" })
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new FlagError(message, "run with --help to see the flags");
    });
  for (const [name, flag] of Object.entries(FLAGS)) {
    const defaultText = flag.default === undefined ? "" : ` [default: ${flag.default}]`;
    cli = cli.option(name, { type: "string", describe: `${flag.describe} (env ${flag.env})${defaultText}` });
  }
  for (const [name, describe] of Object.entries(SECURITY_FLAGS)) {
    cli = cli.option(name, {
      type: "string",
      describe: `${describe} (env ${SECURITY_ENV[name as SecurityFlag]})`,
    });
  }
  return cli;
}

/**
 * Reads flags, falling back to environment variables and then defaults, and checks each value.
 * Returns "help" for --help. Throws a FlagError naming the flag and how to fix it.
 */
export function parseProducerArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  randomSeed: () => number,
): ProducerArgs | "help" {
  const parsed = producerCli(argv).parseSync() as Record<string, unknown>;
  if (parsed.help === true) return "help";
  const flags = flagReader(parsed, env);
  // Checked in this order, so that of several mistakes the same one is named first.
  const target = targetArgs(flags);
  const load = loadArgs(flags, randomSeed);
  const security = securityArgs(parsed, env);
  const clientValue = flags.read("client");
  const client = CLIENT_NAMES.find((c) => c === clientValue?.text);
  if (clientValue && !client) throw flags.bad(clientValue, CLIENT_NAMES.join(" or "), "client kafkajs");
  return { ...target, ...load, security, ...(client === undefined ? {} : { client }) };
}

interface FlagValue {
  text: string;
  /** Where it came from: the flag, or its environment variable. */
  source: string;
}

type FlagReader = ReturnType<typeof flagReader>;

function flagReader(parsed: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const read = (name: FlagName): FlagValue | undefined => {
    const flag = FLAGS[name];
    const given = parsed[name];
    if (Array.isArray(given))
      throw new FlagError(`--${name} was given ${given.length} times`, `give --${name} once`);
    if (typeof given === "string") return { text: given, source: `--${name}` };
    const fromEnv = env[flag.env];
    if (fromEnv !== undefined && fromEnv !== "") return { text: fromEnv, source: flag.env };
    return flag.default === undefined ? undefined : { text: flag.default, source: `--${name}` };
  };
  return {
    read,
    need: (name: FlagName) => read(name) as FlagValue,
    bad: (value: FlagValue, what: string, example: string) =>
      new FlagError(`${value.source} must be ${what}, got "${value.text}"`, `for example --${example}`),
  };
}

/** Where the records go: brokers, topic and its partitions. */
function targetArgs({ need, bad }: FlagReader): Pick<ProducerArgs, "brokers" | "topic" | "partitions"> {
  const brokersValue = need("brokers");
  const brokers = parseBrokers(brokersValue.text);
  if (brokers.length === 0 || !brokers.every(isHostPort)) {
    throw bad(brokersValue, "a comma-separated list of host:port", "brokers localhost:29092");
  }

  const topicValue = need("topic");
  if (
    !/^[a-zA-Z0-9._-]{1,249}$/.test(topicValue.text) ||
    topicValue.text === "." ||
    topicValue.text === ".."
  ) {
    throw bad(topicValue, "a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)", "topic user-login");
  }

  const partitionsValue = need("partitions");
  const partitions = wholeNumber(partitionsValue.text);
  if (partitions === undefined || partitions < 1 || partitions > 10_000) {
    throw bad(partitionsValue, "a whole number from 1 to 10000", "partitions 3");
  }
  return { brokers, topic: topicValue.text, partitions };
}

/** What to send: rate, when to stop, seed and share of malformed records. */
function loadArgs(
  { read, need, bad }: FlagReader,
  randomSeed: () => number,
): Pick<ProducerArgs, "rate" | "count" | "durationMs" | "seed" | "malformed"> {
  const rateValue = need("rate");
  const rate = rateValue.text === "max" ? "max" : decimal(rateValue.text);
  if (rate === undefined || (rate !== "max" && !(rate > 0))) {
    throw bad(rateValue, 'a positive number of records per second, or "max"', "rate 5000");
  }

  const countValue = read("count");
  const count = countValue && wholeNumber(countValue.text);
  if (countValue && (count === undefined || count < 1))
    throw bad(countValue, "a whole number of at least 1", "count 10000");

  const durationValue = read("duration");
  let durationMs: number | undefined;
  if (durationValue) {
    try {
      durationMs = parseDuration(durationValue.text);
    } catch {
      throw bad(durationValue, "a duration such as 45s, 5m or 1h", "duration 45s");
    }
    if (durationMs <= 0) throw bad(durationValue, "longer than zero", "duration 45s");
  }

  const seedValue = read("seed");
  const seed = seedValue ? wholeNumber(seedValue.text) : randomSeed();
  if (seedValue && seed === undefined) throw bad(seedValue, "a whole number of 0 or more", "seed 7");

  const malformedValue = need("malformed");
  const malformed = decimal(malformedValue.text);
  if (malformed === undefined || malformed < 0 || malformed > 1) {
    throw bad(malformedValue, "a share from 0 to 1", "malformed 0.05");
  }
  return {
    rate,
    ...(count === undefined ? {} : { count }),
    ...(durationMs === undefined ? {} : { durationMs }),
    seed: seed as number,
    malformed,
  };
}

function securityArgs(
  parsed: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): ProducerArgs["security"] {
  try {
    const given = (flag: SecurityFlag) => {
      const value = parsed[flag];
      if (Array.isArray(value))
        throw new FlagError(`--${flag} was given ${value.length} times`, `give --${flag} once`);
      return typeof value === "string" ? value : undefined;
    };
    return securityFrom(
      Object.fromEntries(Object.keys(SECURITY_FLAGS).map((f) => [f, given(f as SecurityFlag)])),
      env,
    );
  } catch (error) {
    if (error instanceof SecurityConfigError) throw new FlagError(error.message, error.hint);
    throw error;
  }
}

function wholeNumber(text: string): number | undefined {
  const n = Number(text.trim());
  return /^\d+$/.test(text.trim()) && Number.isSafeInteger(n) ? n : undefined;
}

function decimal(text: string): number | undefined {
  const n = Number(text.trim());
  return /^-?\d+(\.\d+)?$/.test(text.trim()) && Number.isFinite(n) ? n : undefined;
}

function isHostPort(broker: string): boolean {
  const match = /^(.+):(\d{1,5})$/.exec(broker);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65_535;
}
