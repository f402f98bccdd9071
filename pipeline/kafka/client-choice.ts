import { loadLibrdkafka } from "./librdkafka.ts";
import type { ClientName } from "./record-producer.ts";

/** The fastest client installed: librdkafka where its native build loaded, kafkajs otherwise. */
export function defaultClient(): ClientName {
  return loadLibrdkafka().ok ? "librdkafka" : "kafkajs";
}

/** Why librdkafka cannot be used here, or undefined when it can: said once where a run chooses its client. */
export function librdkafkaUnavailable(): string | undefined {
  const loaded = loadLibrdkafka();
  return loaded.ok ? undefined : loaded.why;
}
