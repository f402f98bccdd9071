import { readFileSync } from "node:fs";
import { DURATION_FORMS, parseDuration } from "../../pipeline/duration.ts";
import { parseBrokers, SASL_MECHANISMS, type SaslMechanism } from "../../pipeline/kafka/client.ts";
import { UsageError } from "../core/errors.ts";
import { type ExternalOptions, externalConnection } from "../infra/external.ts";
import type { ProviderName } from "../infra/types.ts";
import type { ScenarioOverrides } from "../scenario/overrides.ts";

/**
 * The flags of `npm run scenario` as yargs hands them over. Values are read as text (a repeated flag as
 * a list), so that a bad value is quoted back as the user typed it, not as yargs' NaN.
 */
export interface ScenarioFlags {
  rate?: FlagValue;
  duration?: FlagValue;
  partitions?: FlagValue;
  consumers?: FlagValue;
  "brokers-count"?: FlagValue;
  kraft?: boolean | undefined;
  seed?: FlagValue;
  seeds?: FlagValue;
  malformed?: FlagValue;
  window?: FlagValue;
  provider: ProviderName;
  brokers?: FlagValue;
  "sasl-mechanism"?: FlagValue;
  "sasl-username"?: FlagValue;
  "sasl-password"?: FlagValue;
  "sasl-password-file"?: FlagValue;
  tls?: boolean | undefined;
  "tls-ca"?: FlagValue;
  "tls-insecure"?: boolean | undefined;
  "prometheus-url"?: FlagValue;
  "grafana-url"?: FlagValue;
  driver?: "lab" | "external" | undefined;
  "driver-command"?: FlagValue;
  client?: string | undefined;
  producers?: FlagValue;
}
type FlagValue = string | string[] | undefined;
type TextFlag = {
  [K in keyof ScenarioFlags]-?: ScenarioFlags[K] extends FlagValue ? K : never;
}[keyof ScenarioFlags];

/** The flags only one kind of provider uses; given to another, they would be silently ignored. */
export const EXTERNAL_ONLY = [
  "brokers",
  "sasl-mechanism",
  "sasl-username",
  "sasl-password-file",
  "tls",
  "tls-ca",
  "tls-insecure",
  "prometheus-url",
  "grafana-url",
] as const;
const STARTED_ONLY = ["brokers-count", "kraft"] as const;

function text(flags: ScenarioFlags, flag: TextFlag): string | undefined {
  const value = flags[flag];
  if (Array.isArray(value))
    throw new UsageError(`--${flag} was given ${value.length} times`, `give --${flag} once`);
  return value;
}

function numberFlag(
  flags: ScenarioFlags,
  flag: TextFlag,
  want: string,
  example: string,
  ok: (n: number) => boolean,
): number | undefined {
  const value = text(flags, flag);
  if (value === undefined) return undefined;
  const n = /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!ok(n)) throw new UsageError(`--${flag}: ${value} is not ${want}`, `e.g. --${flag} ${example}`);
  return n;
}

const whole = (min: number) => (n: number) => Number.isSafeInteger(n) && n >= min;

function durationFlag(flags: ScenarioFlags, flag: "duration" | "window", example: string) {
  const value = text(flags, flag);
  if (value === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    throw new UsageError(
      `--${flag}: ${value} is not a duration`,
      `use ${DURATION_FORMS}, e.g. --${flag} ${example}`,
    );
  }
  if (ms <= 0) throw new UsageError(`--${flag}: ${value} is not above zero`, `e.g. --${flag} ${example}`);
  return ms;
}

/** Turns the override flags into scenario overrides, quoting any bad value back with its flag. */
export function overridesFrom(flags: ScenarioFlags): ScenarioOverrides {
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const values: ScenarioOverrides = {
    rate: numberFlag(flags, "rate", "a positive number of events/s", "500", positive),
    durationMs: durationFlag(flags, "duration", "90s"),
    partitions: numberFlag(flags, "partitions", "a whole number of 1 or more", "6", whole(1)),
    consumers: numberFlag(flags, "consumers", "a whole number of 1 or more", "2", whole(1)),
    brokersCount: numberFlag(flags, "brokers-count", "1 or 3", "3", (n) => n === 1 || n === 3) as
      | 1
      | 3
      | undefined,
    kraft: flags.kraft,
    seed: numberFlag(flags, "seed", "a whole number of 0 or more", "7", whole(0)),
    malformed: numberFlag(flags, "malformed", "a share from 0 to 1", "0.02", (n) => n >= 0 && n <= 1),
    windowMs: durationFlag(flags, "window", "20s"),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as ScenarioOverrides;
}

/** At most this many seeds in one `--seeds` range: each is a whole run of minutes. */
export const MAX_SEEDS = 1_000;

/**
 * `--seeds A..B`: every seed from A to B, in order, or undefined without the flag. Refused with `--seed`,
 * which would say the opposite.
 */
export function seedsFrom(flags: ScenarioFlags): number[] | undefined {
  const value = text(flags, "seeds");
  if (value === undefined) return undefined;
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(value);
  const example = "e.g. --seeds 1..20 runs seeds 1 to 20, one after another";
  if (!range)
    throw new UsageError(`--seeds: ${value} is not a range of seeds`, `give FIRST..LAST, ${example}`);
  const first = Number(range[1]);
  const last = Number(range[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first > last)
    throw new UsageError(`--seeds: ${value} is empty: ${first} is above ${last}`, example);
  if (last - first + 1 > MAX_SEEDS)
    throw new UsageError(
      `--seeds: ${value} is ${last - first + 1} runs, more than ${MAX_SEEDS}`,
      "run a smaller range; each seed is a whole run",
    );
  if (flags.seed !== undefined)
    throw new UsageError(
      "--seed runs one seed and --seeds a range of them; give one of the two",
      "drop --seed, or drop --seeds",
    );
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Refuses flags the chosen provider would ignore, naming the provider that takes them. */
export function checkProviderFlags(flags: ScenarioFlags): void {
  const given = (names: readonly (keyof ScenarioFlags)[]) =>
    names.filter((name) => flags[name] !== undefined && flags[name] !== false).map((name) => `--${name}`);
  const list = (names: string[]) => `${names.join(", ")} ${names.length === 1 ? "is" : "are"}`;
  const externalOnly = given(EXTERNAL_ONLY);
  if (flags.provider !== "external" && externalOnly.length > 0) {
    throw new UsageError(
      `${list(externalOnly)} for --provider external; this run uses the ${flags.provider} provider, which would ignore ${externalOnly.length === 1 ? "it" : "them"}`,
      `add --provider external --brokers host:port, or drop ${externalOnly.join(" ")}`,
    );
  }
  const startedOnly = given(STARTED_ONLY);
  if (flags.provider === "external" && startedOnly.length > 0) {
    throw new UsageError(
      `${list(startedOnly)} for the providers that start Kafka (local, testcontainers); an external cluster is what it is`,
      `drop ${startedOnly.join(" ")}`,
    );
  }
  if (flags["sasl-password"] !== undefined) {
    throw new UsageError(
      "--sasl-password would show the password in `ps` and in the shell history",
      "put it in the LAB_SASL_PASSWORD environment variable, or in a file named by --sasl-password-file",
    );
  }
}

/**
 * The external cluster's settings, checked as far as they can be without connecting (addresses, SASL
 * credentials, the CA file), or undefined for the other providers.
 */
export function externalFrom(flags: ScenarioFlags, env: NodeJS.ProcessEnv): ExternalOptions | undefined {
  checkProviderFlags(flags);
  if (flags.provider !== "external") return undefined;
  const brokers = text(flags, "brokers");
  if (!brokers)
    throw new UsageError(
      "--provider external needs the cluster's addresses",
      "add --brokers host:port[,host:port…]",
    );
  const external: ExternalOptions = { brokers: parseBrokers(brokers) };
  const sasl = saslFrom(flags, env);
  if (sasl) external.sasl = sasl;
  const caFile = text(flags, "tls-ca");
  if (flags.tls || caFile || flags["tls-insecure"])
    external.tls = { ...(caFile ? { caFile } : {}), insecure: flags["tls-insecure"] ?? false };
  const prometheusUrl = text(flags, "prometheus-url");
  if (prometheusUrl) external.prometheusUrl = checkUrl("prometheus-url", prometheusUrl);
  const grafanaUrl = text(flags, "grafana-url");
  if (grafanaUrl) external.grafanaUrl = checkUrl("grafana-url", grafanaUrl).replace(/\/$/, "");
  externalConnection(external);
  return external;
}

function saslFrom(flags: ScenarioFlags, env: NodeJS.ProcessEnv): ExternalOptions["sasl"] {
  const mechanism = text(flags, "sasl-mechanism");
  const username = text(flags, "sasl-username");
  const passwordFile = text(flags, "sasl-password-file");
  if (!mechanism) {
    if (username || passwordFile)
      throw new UsageError(
        `${username ? "--sasl-username" : "--sasl-password-file"} needs --sasl-mechanism`,
        `add --sasl-mechanism ${SASL_MECHANISMS.join("|")}`,
      );
    return undefined;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    throw new UsageError(
      `--sasl-mechanism: ${mechanism} is not a mechanism the lab speaks`,
      `use one of ${SASL_MECHANISMS.join(", ")}`,
    );
  let password = env.LAB_SASL_PASSWORD;
  if (passwordFile) {
    try {
      password = readFileSync(passwordFile, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new UsageError(
        `--sasl-password-file: cannot read ${passwordFile}: ${(error as Error).message}`,
        "give a file that holds the password",
      );
    }
  }
  if (!username || !password)
    throw new UsageError(
      `--sasl-mechanism ${mechanism} needs ${username ? "" : "--sasl-username and "}a password`,
      "put the password in LAB_SASL_PASSWORD or a file named by --sasl-password-file (never on the command line)",
    );
  return { mechanism: mechanism as SaslMechanism, username, password };
}

function checkUrl(flag: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new UsageError(`--${flag}: ${value} is not an http(s) URL`, `e.g. --${flag} http://localhost:9090`);
  return value;
}

/** Flags only the lab's own load driver reads; an external driver would silently ignore them. */
const LAB_DRIVER_ONLY = ["client", "producers"] as const;

/**
 * The command that drives the load instead of the lab's driver (`--driver external --driver-command CMD`),
 * or undefined for the lab's own; refuses a command without `--driver external`, the reverse, and flags
 * only the lab's driver would read.
 */
export function driverCommandFrom(flags: ScenarioFlags): string | undefined {
  const command = text(flags, "driver-command");
  if (flags.driver !== "external") {
    if (command !== undefined)
      throw new UsageError(
        "--driver-command is for --driver external; without it the lab drives the load itself",
        `add --driver external, or drop --driver-command`,
      );
    return undefined;
  }
  if (command === undefined || command.trim() === "")
    throw new UsageError(
      `--driver external needs the command that writes the load${command === undefined ? "" : " (--driver-command is empty)"}`,
      'add --driver-command "CMD", e.g. --driver-command "k6 run login.js" (docs/driver-contract.md)',
    );
  const labOnly = LAB_DRIVER_ONLY.filter((name) => flags[name] !== undefined).map((name) => `--${name}`);
  if (labOnly.length > 0)
    throw new UsageError(
      `${labOnly.join(", ")} ${labOnly.length === 1 ? "is" : "are"} for the lab's own load driver; --driver external runs your command instead, which would ignore ${labOnly.length === 1 ? "it" : "them"}`,
      `drop ${labOnly.join(" ")}, or drop --driver external`,
    );
  return command;
}
