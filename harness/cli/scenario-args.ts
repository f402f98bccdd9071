import { parseDuration } from "../../pipeline/duration.ts";
import { parseBrokers } from "../../pipeline/kafka/client.ts";
import { UsageError } from "../core/errors.ts";
import type { ExternalOptions } from "../infra/external.ts";
import type { ProviderName } from "../infra/types.ts";
import type { ScenarioOverrides } from "../scenario/overrides.ts";

/** The flags of `npm run scenario` as yargs hands them over. */
export interface ScenarioFlags {
  rate?: number | undefined;
  duration?: string | undefined;
  partitions?: number | undefined;
  consumers?: number | undefined;
  "brokers-count"?: number | undefined;
  kraft?: boolean | undefined;
  seed?: number | undefined;
  malformed?: number | undefined;
  window?: string | undefined;
  provider: ProviderName;
  brokers?: string | undefined;
  "sasl-mechanism"?: "plain" | "scram-sha-256" | "scram-sha-512" | undefined;
  "sasl-username"?: string | undefined;
  "sasl-password"?: string | undefined;
  tls?: boolean | undefined;
  "tls-ca"?: string | undefined;
  "tls-insecure"?: boolean | undefined;
  "prometheus-url"?: string | undefined;
  "grafana-url"?: string | undefined;
}

function check(ok: boolean, flag: string, value: unknown, want: string): void {
  if (!ok)
    throw new UsageError(`--${flag}: ${JSON.stringify(value)} is not ${want}`, `give --${flag} ${want}`);
}

const wholeAtLeast = (n: number | undefined, min: number) =>
  n === undefined || (Number.isInteger(n) && n >= min);

/** Turns the override flags into scenario overrides, naming the flag of any bad value. */
export function overridesFrom(flags: ScenarioFlags): ScenarioOverrides {
  check(
    flags.rate === undefined || (Number.isFinite(flags.rate) && flags.rate > 0),
    "rate",
    flags.rate,
    "a positive number of events/s",
  );
  check(wholeAtLeast(flags.partitions, 1), "partitions", flags.partitions, "a whole number of 1 or more");
  check(wholeAtLeast(flags.consumers, 1), "consumers", flags.consumers, "a whole number of 1 or more");
  const brokers = flags["brokers-count"];
  check(brokers === undefined || brokers === 1 || brokers === 3, "brokers-count", brokers, "1 or 3");
  check(wholeAtLeast(flags.seed, 0), "seed", flags.seed, "a whole number of 0 or more");
  const malformed = flags.malformed;
  check(
    malformed === undefined || (malformed >= 0 && malformed <= 1),
    "malformed",
    malformed,
    "a share between 0 and 1, e.g. 0.02",
  );
  const duration = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return parseDuration(text);
    } catch (error) {
      throw new UsageError(`--${flag}: ${(error as Error).message}`);
    }
  };
  const values: ScenarioOverrides = {
    rate: flags.rate,
    durationMs: duration("duration", flags.duration),
    partitions: flags.partitions,
    consumers: flags.consumers,
    brokersCount: brokers,
    kraft: flags.kraft,
    seed: flags.seed,
    malformed,
    windowMs: duration("window", flags.window),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as ScenarioOverrides;
}

/** The external cluster's settings, or undefined for the other providers (which must not get them). */
export function externalFrom(flags: ScenarioFlags, env: NodeJS.ProcessEnv): ExternalOptions | undefined {
  if (flags.provider !== "external") {
    if (flags.brokers)
      throw new UsageError(
        "--brokers is for --provider external",
        "add --provider external, or drop --brokers",
      );
    return undefined;
  }
  const external: ExternalOptions = { brokers: parseBrokers(flags.brokers ?? "") };
  const mechanism = flags["sasl-mechanism"];
  if (mechanism) {
    const password = flags["sasl-password"] ?? env.LAB_SASL_PASSWORD;
    if (!flags["sasl-username"] || !password) {
      throw new UsageError(
        `--sasl-mechanism ${mechanism} needs --sasl-username and --sasl-password`,
        "add both; the password may come from LAB_SASL_PASSWORD instead, to keep it out of the shell history",
      );
    }
    external.sasl = { mechanism, username: flags["sasl-username"], password };
  }
  if (flags.tls || flags["tls-ca"] || flags["tls-insecure"]) {
    external.tls = {
      ...(flags["tls-ca"] ? { caFile: flags["tls-ca"] } : {}),
      insecure: flags["tls-insecure"] ?? false,
    };
  }
  if (flags["prometheus-url"]) external.prometheusUrl = flags["prometheus-url"];
  if (flags["grafana-url"]) external.grafanaUrl = flags["grafana-url"].replace(/\/$/, "");
  return external;
}
