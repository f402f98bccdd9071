import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";

/** A topic's partitions as the Metadata API gives them. */
export interface TopicReplicas {
  name: string;
  partitions: { partitionId: number; replicas: number[]; isr: number[] }[];
}

/**
 * What keeps the cluster from being fully in sync: a broker not registered, or a partition with a replica
 * outside its ISR ("user-login/3: ISR 1,3 of 1,2,3"). Empty when every replica of every partition is in sync.
 */
export function outOfSync(
  topics: readonly TopicReplicas[],
  registered: readonly number[],
  expected: readonly number[],
): string[] {
  const missing = expected
    .filter((id) => !registered.includes(id))
    .map((id) => `broker ${id} not registered`);
  const lagging = topics.flatMap((topic) =>
    topic.partitions
      .filter((p) => p.replicas.some((r) => !p.isr.includes(r)))
      .sort((a, b) => a.partitionId - b.partitionId)
      .map((p) => `${topic.name}/${p.partitionId}: ISR ${p.isr.join(",")} of ${p.replicas.join(",")}`),
  );
  return [...missing, ...lagging];
}

/**
 * Asks the brokers (admin API, metadata of every topic) what is not in sync; each call bounded. Metadata of
 * every topic includes the 50 partitions of each internal topic: in a chaos run at load average 43 the nemesis
 * guard's 90 s ended on a call that had no answer within 3 s, its brokers running, so the bound is 10 s.
 */
export function clusterSyncProbe(connection: KafkaConnection, expected: readonly number[], boundMs = 10_000) {
  const admin = createKafka(connection, "lab-in-sync").admin();
  let connected: Promise<void> | undefined;
  const ask = async (): Promise<string[]> => {
    // A failed connect is tried again on the next call, not remembered as failed.
    connected ??= admin.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    await connected;
    const cluster = await admin.describeCluster();
    const meta = await admin.fetchTopicMetadata();
    return outOfSync(
      meta.topics,
      cluster.brokers.map((b) => b.nodeId),
      expected,
    );
  };
  return {
    outOfSync: (): Promise<string[]> => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the brokers did not answer within ${boundMs / 1000} s`)),
          boundMs,
        );
      });
      return Promise.race([ask(), bound]).finally(() => clearTimeout(timer));
    },
    close: () => admin.disconnect().catch(() => {}),
  };
}
