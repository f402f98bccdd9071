import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import { securityEnv } from "../../pipeline/kafka/security.ts";

export interface DriverSettings {
  connection: KafkaConnection;
  topic: string;
  /** The scenario's mean target rate over the load, events/s. */
  ratePerSec: number;
  /** Events the scenario's profile is due to send in all. */
  events: number;
  durationMs: number;
  partitions: number;
  seed: number;
  malformed: number;
}

/**
 * What a load driver of one's own is told, as environment variables: where to write and how much, plus the
 * same SASL/TLS variables the aggregators get (see aggregator-env.ts), so that a password never shows in `ps`.
 * `RATE` and `EVENTS` describe the scenario's profile as a whole; a driver that follows the curve itself
 * (a k6 script the lab wrote) knows the curve from the script.
 */
export function driverEnvironment(settings: DriverSettings): Record<string, string> {
  return {
    KAFKA_BROKERS: settings.connection.brokers.join(","),
    TOPIC: settings.topic,
    RATE: String(Math.round(settings.ratePerSec)),
    EVENTS: String(settings.events),
    DURATION_S: String(Math.ceil(settings.durationMs / 1000)),
    DURATION_MS: String(settings.durationMs),
    PARTITIONS: String(settings.partitions),
    SEED: String(settings.seed),
    MALFORMED: String(settings.malformed),
    ...securityEnv(settings.connection),
  };
}
