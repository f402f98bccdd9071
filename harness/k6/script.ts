import { DEFAULT_MIX } from "../../pipeline/events/generator.ts";
import { DEFAULT_TOPICS } from "../../pipeline/topics.ts";
import { describeLoad } from "../load/profile.ts";
import type { Scenario } from "../scenario/types.ts";
import { k6Executor } from "./executor.ts";

/**
 * A k6 script (TypeScript, which k6 1.x runs as it is) for xk6-kafka that reproduces a scenario's load
 * with k6's open-model executors and writes login events of the seed's shape to `user-login`, reading
 * the brokers from `KAFKA_BROKERS`: usable as `--driver external --driver-command "k6 run FILE"`, or on
 * its own against any cluster. The events are made in the script (k6 has no faker), with the generator's
 * mix: device types, a share without `device_type`, US state codes, app versions, a pool of users, and
 * the scenario's share of malformed records of four kinds.
 */
export function renderK6Script(scenario: Scenario): string {
  return `${scriptHeader(scenario)}\n\n${K6_WRITER}\n\n${K6_EVENTS}\n`;
}

const json = (value: unknown) => JSON.stringify(value);

/** How to run it, the scenario's settings and its k6 executor: the part of the script that is the scenario's. */
function scriptHeader(scenario: Scenario): string {
  const executor = k6Executor(scenario.load, scenario.durationMs, scenario.name);
  const { eventsPerIteration, ...k6Scenario } = executor;
  return `// k6 script written by login-pipeline-lab for the scenario "${scenario.name}":
// ${describeLoad(scenario.load, scenario.durationMs)}, ${scenario.topology.partitions} partitions, ${scenario.malformed * 100} % malformed.
// Needs k6 built with xk6-kafka. Run it as the lab's load driver:
//   npm run scenario -- ${scenario.name} --driver external --driver-command "k6 run THIS_FILE"
// or on its own: KAFKA_BROKERS=host:port k6 run THIS_FILE
import { randomSeed } from "k6";
import type { Options } from "k6/options";
import {
  SASL_PLAIN,
  SASL_SCRAM_SHA256,
  SASL_SCRAM_SHA512,
  SCHEMA_TYPE_STRING,
  SchemaRegistry,
  Writer,
} from "k6/x/kafka";

const EVENTS_PER_ITERATION = ${eventsPerIteration};
const MALFORMED = Number(__ENV.MALFORMED ?? ${json(scenario.malformed)});
const DEVICE_TYPES = ${json(DEFAULT_MIX.deviceTypes.map((d) => d.value))};
const MISSING_DEVICE_TYPE_SHARE = ${json(DEFAULT_MIX.missingDeviceTypeShare)};
const LOCALES = ${json(DEFAULT_MIX.locales)};
const APP_VERSIONS = ${json(DEFAULT_MIX.appVersions)};
const DISTINCT_USERS = ${json(DEFAULT_MIX.distinctUsers)};

export const options: Options = {
  scenarios: {
    logins: ${JSON.stringify(k6Scenario, null, 2).replace(/\n/g, "\n    ")},
  },
  thresholds: { kafka_writer_error_count: ["count == 0"] },
};

// Each VU draws its own sequence from the scenario's seed.
randomSeed(Number(__ENV.SEED ?? ${json(scenario.seed)}) * 1000 + __VU);`;
}

/** The xk6-kafka writer, with SASL and TLS from the environment. */
const K6_WRITER = `const SASL_ALGORITHMS = {
  plain: SASL_PLAIN,
  "scram-sha-256": SASL_SCRAM_SHA256,
  "scram-sha-512": SASL_SCRAM_SHA512,
} as const;
const mechanism = __ENV.KAFKA_SASL_MECHANISM as keyof typeof SASL_ALGORITHMS | undefined;

const writer = new Writer({
  brokers: (__ENV.KAFKA_BROKERS ?? "localhost:9092").split(","),
  topic: __ENV.TOPIC ?? ${json(DEFAULT_TOPICS.input)},
  requiredAcks: -1,
  balancer: "balancer_murmur2",
  batchSize: EVENTS_PER_ITERATION,
  batchTimeout: 10_000_000, // 10 ms, as a Go time.Duration in nanoseconds
  ...(mechanism && SASL_ALGORITHMS[mechanism]
    ? {
        sasl: {
          username: __ENV.KAFKA_SASL_USERNAME ?? "",
          password: __ENV.KAFKA_SASL_PASSWORD ?? "",
          algorithm: SASL_ALGORITHMS[mechanism],
        },
      }
    : {}),
  ...(__ENV.KAFKA_TLS === "true"
    ? { tls: { enableTls: true, insecureSkipTlsVerify: __ENV.KAFKA_TLS_INSECURE === "true" } }
    : {}),
});
const registry = new SchemaRegistry();`;

/** The events, made in the script with the generator's mix, and the iteration that writes them. */
const K6_EVENTS = `function pick<T>(values: readonly T[]): T {
  return values[Math.floor(Math.random() * values.length)] as T;
}

function uuid(): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  return \`\${hex(8)}-\${hex(4)}-4\${hex(3)}-\${pick(["8", "9", "a", "b"])}\${hex(3)}-\${hex(12)}\`;
}

const users = Array.from({ length: DISTINCT_USERS }, uuid);

function loginEvent(): Record<string, unknown> {
  const event: Record<string, unknown> = {
    user_id: pick(users),
    app_version: pick(APP_VERSIONS),
    device_type: pick(DEVICE_TYPES),
    ip: Array.from({ length: 4 }, () => Math.floor(Math.random() * 256)).join("."),
    locale: pick(LOCALES),
    device_id: uuid(),
    timestamp: Math.floor(Date.now() / 1000),
  };
  if (Math.random() < MISSING_DEVICE_TYPE_SHARE) delete event.device_type;
  return event;
}

/** Malformed records the pipeline must send to its dead-letter topic, of four kinds in turn. */
const MALFORMED_KINDS: ((event: Record<string, unknown>) => string)[] = [
  (event) => JSON.stringify(event).slice(0, -1),
  (event) => JSON.stringify({ ...event, user_id: undefined }),
  (event) => JSON.stringify({ ...event, timestamp: "yesterday" }),
  (event) => JSON.stringify([event]),
];
let malformedSent = 0;

function record(): { key: string; value: string } {
  const event = loginEvent();
  if (Math.random() >= MALFORMED) return { key: String(event.user_id), value: JSON.stringify(event) };
  const kind = MALFORMED_KINDS[malformedSent++ % MALFORMED_KINDS.length] as (typeof MALFORMED_KINDS)[number];
  return { key: uuid(), value: kind(event) };
}

const bytes = (data: string) => registry.serialize({ data, schemaType: SCHEMA_TYPE_STRING });

export default function (): void {
  const messages = Array.from({ length: EVENTS_PER_ITERATION }, () => {
    const { key, value } = record();
    return { key: bytes(key), value: bytes(value) };
  });
  writer.produce({ messages });
}

export function teardown(): void {
  writer.close();
}`;
