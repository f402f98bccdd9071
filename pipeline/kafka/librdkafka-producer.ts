import type { KafkaConnection } from "./client.ts";
import type { RdKafkaError } from "./librdkafka.ts";
import { loadLibrdkafka } from "./librdkafka.ts";
import type {
  DeliverySegment,
  OutgoingRecord,
  PartitionDelivery,
  RecordProducer,
} from "./record-producer.ts";

/**
 * How long librdkafka keeps retrying one record before it fails it: past a broker's death, the ZooKeeper
 * session timeout (18 s) and the leader election after it.
 */
const MESSAGE_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = MESSAGE_TIMEOUT_MS + 5_000;

/** One send() call waiting for the delivery reports of its records. */
class PendingSend {
  private remaining: number;
  private readonly byPartition = new Map<number, DeliverySegment[]>();
  private readonly nextOffset = new Map<number, number>();
  readonly done: Promise<PartitionDelivery[]>;
  private resolve!: (deliveries: PartitionDelivery[]) => void;

  constructor(records: number) {
    this.remaining = records;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Reports of one partition come in the order its records were produced (librdkafka keeps that order). */
  report(partition: number, outcome: { offset: number } | { error: Error }, count = 1): void {
    const segments = this.byPartition.get(partition) ?? [];
    this.byPartition.set(partition, segments);
    const last = segments.at(-1);
    if ("error" in outcome) {
      if (last && "error" in last) last.count += count;
      else segments.push({ count, error: outcome.error });
      this.nextOffset.delete(partition);
    } else if (last && "baseOffset" in last && this.nextOffset.get(partition) === outcome.offset) {
      last.count += count;
      this.nextOffset.set(partition, outcome.offset + count);
    } else {
      segments.push({ count, baseOffset: String(outcome.offset) });
      this.nextOffset.set(partition, outcome.offset + count);
    }
    this.remaining -= count;
    if (this.remaining === 0) {
      this.resolve([...this.byPartition].map(([p, s]) => ({ partition: p, segments: s })));
    }
  }
}

/**
 * librdkafka's idempotent producer through the low-level `produce` with delivery reports: it batches,
 * compresses and sends on its own threads with up to 5 requests in flight per broker, and its idempotence
 * survives a broker's death (it bumps the epoch and re-sequences where kafkajs keeps failing).
 */
export async function openLibrdkafkaProducer(
  connection: KafkaConnection,
  topic: string,
  clientId: string,
): Promise<RecordProducer> {
  const loaded = loadLibrdkafka();
  if (!loaded.ok) throw new Error(loaded.why);
  const producer = new loaded.module.Producer({
    ...librdkafkaConnection(connection),
    "client.id": clientId,
    "enable.idempotence": true,
    acks: "all",
    dr_cb: true,
    "message.timeout.ms": MESSAGE_TIMEOUT_MS,
    // The driver bounds what is outstanding itself; librdkafka's own queue must never refuse a record.
    "queue.buffering.max.messages": 2_000_000,
    "queue.buffering.max.kbytes": 2_097_151,
  });
  producer.on("delivery-report", (error, report) => {
    const pending = report.opaque as PendingSend;
    pending.report(report.partition, error ? { error: asError(error) } : { offset: report.offset });
  });
  // Broker connection errors are transient; librdkafka retries them and fails records that time out.
  producer.on("event.error", () => {});
  await new Promise<void>((resolve, reject) =>
    producer.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) =>
      error ? reject(asError(error)) : resolve(),
    ),
  );
  producer.setPollInBackground(true);

  const send = (records: readonly OutgoingRecord[]): Promise<PartitionDelivery[]> => {
    const pending = new PendingSend(records.length);
    for (const r of records) {
      try {
        producer.produce(topic, r.partition, r.value, r.key, r.timestampMs, pending);
      } catch (error) {
        // Refused before it was queued (a record over message.max.bytes, say): that one never went out.
        pending.report(r.partition, { error: asError(error) });
      }
    }
    return pending.done;
  };
  return {
    client: "librdkafka",
    // librdkafka batches across calls by itself: a call per tick of a few records must not wait for the
    // acks of the last five, or a schedule of small ticks would stall on round trips. Records bound memory.
    inFlight: { calls: Number.MAX_SAFE_INTEGER, records: 200_000 },
    send,
    close: async () => {
      await new Promise<void>((resolve) => producer.flush(CLOSE_TIMEOUT_MS, () => resolve()));
      await new Promise<void>((resolve) => producer.disconnect(5_000, () => resolve()));
    },
  };
}

/** Our connection settings in librdkafka's terms. */
export function librdkafkaConnection(connection: KafkaConnection): Record<string, string | boolean> {
  const config: Record<string, string | boolean> = { "bootstrap.servers": connection.brokers.join(",") };
  const tls = connection.ssl !== undefined && connection.ssl !== false;
  if (connection.sasl) {
    config["security.protocol"] = tls ? "sasl_ssl" : "sasl_plaintext";
    config["sasl.mechanisms"] = connection.sasl.mechanism.toUpperCase();
    config["sasl.username"] = connection.sasl.username;
    config["sasl.password"] = connection.sasl.password;
  } else if (tls) {
    config["security.protocol"] = "ssl";
  }
  if (typeof connection.ssl === "object") {
    if (connection.ssl.ca) config["ssl.ca.pem"] = connection.ssl.ca.join("\n");
    if (connection.ssl.rejectUnauthorized === false) config["enable.ssl.certificate.verification"] = false;
  }
  return config;
}

function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const rd = error as Partial<RdKafkaError> | undefined;
  return new Error(rd?.message ?? String(error));
}
