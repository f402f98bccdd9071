import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";

/**
 * The one seam between our code and the Kafka client library (kafkajs is lightly maintained: keeping it
 * behind this module keeps a switch of client cheap). Everything that needs a client builds it here.
 */
export interface KafkaConnection {
  brokers: string[];
  /** TLS: `true` trusts the system's CAs; `ca` holds PEM texts to trust instead. */
  ssl?: boolean | { ca?: string[]; rejectUnauthorized?: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function createKafka(connection: KafkaConnection, clientId: string): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: connection.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  };
  if (connection.ssl !== undefined) config.ssl = connection.ssl;
  if (connection.sasl) config.sasl = connection.sasl as SASLOptions;
  return new Kafka(config);
}

export function parseBrokers(text: string): string[] {
  return text
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
