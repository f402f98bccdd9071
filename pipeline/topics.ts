import type { Admin } from "kafkajs";

/** The seed's topic names: logins in, aggregates out, and the dead-letter topic for rejected records. */
export const DEFAULT_TOPICS = {
  input: "user-login",
  output: "user-login-analytics",
  dlq: "user-login-dlq",
} as const;

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

/** Raised when a topic exists but with fewer partitions than asked for; we never alter a topic to fix it. */
export class TopicPartitionsError extends Error {
  constructor(
    readonly topic: string,
    readonly existing: number,
    readonly wanted: number,
  ) {
    super(
      `topic ${topic} exists with ${existing} partition(s) but ${wanted} are needed: ` +
        `delete it, add partitions with kafka-topics.sh --alter, or use another topic`,
    );
    this.name = "TopicPartitionsError";
  }
}

type TopicAdmin = Pick<Admin, "listTopics" | "fetchTopicMetadata" | "createTopics">;

/**
 * Creates the topics that are missing and returns their names. Existing topics are left as they are
 * (never deleted or altered) but must have at least the partitions asked for.
 */
export async function ensureTopics(admin: TopicAdmin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const created: string[] = [];
  for (const spec of specs.filter((s) => !existing.has(s.topic))) {
    // One request per topic, so that one created by another client meanwhile (false) is told apart.
    const isNew = await admin.createTopics({
      topics: [
        { topic: spec.topic, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor },
      ],
      waitForLeaders: true,
    });
    if (isNew) created.push(spec.topic);
  }
  const toCheck = specs.filter((s) => !created.includes(s.topic));
  if (toCheck.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: toCheck.map((s) => s.topic) });
    for (const spec of toCheck) {
      const count = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
      if (count < spec.partitions) throw new TopicPartitionsError(spec.topic, count, spec.partitions);
    }
  }
  return created;
}
