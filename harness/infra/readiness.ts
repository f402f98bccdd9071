import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { waitFor } from "../core/wait-for.ts";
import type { PrometheusApi } from "./prometheus-api.ts";

export interface ReadyOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Called at every poll; throws to give up at once (say, when a service's process has died). */
  check?: () => void;
}

const HEALTH_TOPIC = "__lab_health";
const TRANSACTION_LOG = "__transaction_state";

/**
 * Ready means clients on this host can use the cluster: every broker registered, and a topic replicated to
 * all of them created with a leader and a full ISR (the seed's health check, from outside the containers),
 * every broker knows that topic's leader, and the transaction log exists (see waitForTransactionLog).
 */
export async function waitForKafka(
  connection: KafkaConnection,
  count: number,
  options: ReadyOptions,
): Promise<void> {
  const admin = createKafka(connection, "lab-readiness").admin();
  const plural = count > 1 ? "s" : "";
  try {
    let seen = 0;
    await waitFor(
      async () => {
        options.check?.();
        await admin.connect();
        seen = (await admin.describeCluster()).brokers.length;
        return seen >= count ? true : undefined;
      },
      {
        what: `Kafka (${count} broker${plural}) at ${connection.brokers.join(",")}`,
        timeoutMs: options.timeoutMs,
        describe: () => `${seen} of ${count} brokers registered`,
        signal: options.signal,
      },
    );
    await waitFor(
      async () => {
        options.check?.();
        if (!(await admin.listTopics()).includes(HEALTH_TOPIC)) {
          await admin.createTopics({
            topics: [{ topic: HEALTH_TOPIC, numPartitions: 1, replicationFactor: count }],
            waitForLeaders: true,
          });
        }
        const meta = await admin.fetchTopicMetadata({ topics: [HEALTH_TOPIC] });
        const partition = meta.topics[0]?.partitions[0];
        return partition && partition.leader >= 0 && partition.isr.length === count ? true : undefined;
      },
      { what: "Kafka topic creation", timeoutMs: options.timeoutMs, signal: options.signal },
    );
  } finally {
    await admin.disconnect();
  }
  await waitForTopicMetadata(connection, [HEALTH_TOPIC], count, options);
  await waitForTransactionLog(connection, options);
}

/**
 * The aggregators are transactional, and a broker creates its transaction log at the first transactional
 * producer's call. Left to the aggregators, that came after the load had started: on a loaded CI machine
 * it took 30 s, every claim failed with "Failed to find group coordinator" meanwhile, and the soak failed
 * its stall check on a cluster that was still starting (CI, stop 25). One transaction begun and ended here
 * (it sends nothing) makes the broker create it first.
 */
async function waitForTransactionLog(connection: KafkaConnection, options: ReadyOptions): Promise<void> {
  const producer = createKafka(connection, "lab-readiness").producer({
    transactionalId: "lab-readiness",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await waitFor(
      async () => {
        options.check?.();
        await producer.connect();
        const transaction = await producer.transaction();
        await transaction.abort();
        return true;
      },
      { what: "Kafka's transaction coordinator", timeoutMs: options.timeoutMs, signal: options.signal },
    );
  } finally {
    await producer.disconnect();
  }
  await waitForTopicMetadata(connection, [TRANSACTION_LOG], 1, options);
}

/**
 * Waits until every broker of `connection` answers metadata for `topics` with a leader and `isrSize`
 * in-sync replicas for every partition, and all brokers agree on the leaders. In KRaft mode a broker
 * learns of a new topic from the metadata log a moment after the controller created it; a client that
 * asks that broker first is told "This server does not host this topic-partition".
 */
export async function waitForTopicMetadata(
  connection: KafkaConnection,
  topics: string[],
  isrSize: number,
  options: ReadyOptions,
): Promise<void> {
  const admins = connection.brokers.map((broker) =>
    createKafka({ ...connection, brokers: [broker] }, "lab-readiness-metadata").admin(),
  );
  let seen = "";
  try {
    await waitFor(
      async () => {
        options.check?.();
        const views = await Promise.all(
          admins.map(async (admin, i) => {
            await admin.connect();
            const meta = await admin.fetchTopicMetadata({ topics });
            return { broker: connection.brokers[i], leaders: leadersOf(meta.topics, isrSize) };
          }),
        );
        const notReady = views.filter((v) => v.leaders === undefined);
        const distinct = new Set(views.map((v) => v.leaders));
        seen =
          notReady.length > 0
            ? `${notReady.map((v) => v.broker).join(", ")} without a leader and ${isrSize} in-sync replica(s) for every partition`
            : `brokers disagree on the leaders`;
        if (notReady.length > 0 || distinct.size !== 1) return undefined;
        // The metadata can name a leader a moment before that broker serves the partition: ask each leader.
        seen = "a leader does not serve its partition yet";
        for (const topic of topics) await admins[0]?.fetchTopicOffsets(topic);
        return true;
      },
      {
        what: `metadata of ${topics.join(", ")} on every broker`,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        describe: () => seen,
      },
    );
  } finally {
    await Promise.allSettled(admins.map((admin) => admin.disconnect()));
  }
}

/** "topic/partition=leader,…" when every partition has a leader and a full ISR, else undefined. */
function leadersOf(
  topics: { name: string; partitions: { partitionId: number; leader: number; isr: number[] }[] }[],
  isrSize: number,
): string | undefined {
  const parts: string[] = [];
  for (const topic of topics) {
    if (topic.partitions.length === 0) return undefined;
    for (const p of topic.partitions) {
      if (p.leader < 0 || p.isr.length < isrSize) return undefined;
      parts.push(`${topic.name}/${p.partitionId}=${p.leader}`);
    }
  }
  return parts.sort().join(",");
}

/** Ready means every active target is up: the brokers' JMX exporters are scraped. */
export async function waitForPrometheusTargets(api: PrometheusApi, options: ReadyOptions): Promise<void> {
  let last = "";
  await waitFor(
    async () => {
      options.check?.();
      if (!(await api.ready())) {
        last = "not answering /-/ready";
        return undefined;
      }
      const targets = await api.targets();
      const notUp = targets.filter((t) => t.health !== "up");
      last = notUp.map((t) => `${t.job} ${t.instance}: ${t.health} ${t.lastError}`).join("; ");
      return targets.length > 0 && notUp.length === 0 ? true : undefined;
    },
    {
      what: `Prometheus targets at ${api.baseUrl}`,
      timeoutMs: options.timeoutMs,
      intervalMs: 500,
      describe: () => last,
      signal: options.signal,
    },
  );
}
