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

/**
 * Ready means clients on this host can use the cluster: every broker registered, and a topic replicated to
 * all of them created with a leader and a full ISR (the seed's health check, from outside the containers).
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
