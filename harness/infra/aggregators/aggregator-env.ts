import { CONSUMER_ENV } from "../../../pipeline/consumer/args.ts";
import type { KafkaConnection } from "../../../pipeline/kafka/client.ts";
import type { ClientName } from "../../../pipeline/kafka/record-producer.ts";
import { securityEnv } from "../../../pipeline/kafka/security.ts";

export interface AggregatorSettings {
  connection: KafkaConnection;
  groupId: string;
  topics: { input: string; output: string; dlq: string };
  windowMs: number;
  inputPartitions: number;
  /** The pipeline aggregator's Kafka client; its own default (kafkajs) when not given. */
  client?: ClientName;
}

/**
 * What every aggregator of a run is told, as environment variables: the names the pipeline's own
 * consumer reads (so it needs no flags), plus `WINDOW_MS` and `CONSUMER_INDEX` for an aggregator of
 * one's own. `METRICS_PORT=0` asks for any free port, reported in the ready line. SASL and TLS settings
 * go the same way: as arguments they would show the password in `ps`.
 */
export function aggregatorEnvironment(settings: AggregatorSettings, index: number): Record<string, string> {
  return {
    [CONSUMER_ENV.brokers]: settings.connection.brokers.join(","),
    [CONSUMER_ENV.group]: settings.groupId,
    [CONSUMER_ENV["input-topic"]]: settings.topics.input,
    [CONSUMER_ENV["output-topic"]]: settings.topics.output,
    [CONSUMER_ENV["dlq-topic"]]: settings.topics.dlq,
    [CONSUMER_ENV.window]: `${settings.windowMs}ms`,
    [CONSUMER_ENV["metrics-port"]]: "0",
    [CONSUMER_ENV["metrics-host"]]: "127.0.0.1",
    [CONSUMER_ENV.partitions]: String(settings.inputPartitions),
    WINDOW_MS: String(settings.windowMs),
    CONSUMER_INDEX: String(index),
    ...(settings.client ? { [CONSUMER_ENV.client]: settings.client } : {}),
    ...securityEnv(settings.connection),
  };
}
