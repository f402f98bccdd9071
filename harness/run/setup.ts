import { createKafka } from "../../pipeline/kafka/client.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { waitFor } from "../core/wait-for.ts";
import { waitForTopicMetadata } from "../infra/readiness.ts";
import type { StartedStack } from "../infra/types.ts";
import type { ExternalDriverRun } from "../load/external-driver.ts";
import { type ExternalLoadOptions, runExternalLoad } from "../load/external-load.ts";
import { InputTail } from "../observe/input-tail.ts";
import type { RunTopics } from "../verify/collect.ts";
import { endOffsets } from "../verify/topic-reader.ts";

const TOPICS_READY_TIMEOUT_MS = 60_000;

/**
 * Creates the topics when missing, waits until every broker knows their leaders, and records where the
 * run starts in each of them.
 */
export async function prepareTopics(
  stack: StartedStack,
  topics: RunTopics,
  partitions: number,
  groupId: string,
) {
  const admin = createKafka(stack.connection(), "lab-setup").admin();
  await admin.connect();
  try {
    const rf = stack.replicationFactor();
    const specs = [
      { topic: topics.input, partitions, replicationFactor: rf },
      { topic: topics.output, partitions: 1, replicationFactor: rf },
      { topic: topics.dlq, partitions: 1, replicationFactor: rf },
    ];
    // kafkajs's own wait for leaders asks one broker once and gives up if that broker has not yet
    // applied the new topic (KRaft), so create without it and wait on every broker ourselves.
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
        })),
        waitForLeaders: false,
      });
    }
    await waitForTopicMetadata(
      stack.connection(),
      specs.map((s) => s.topic),
      stack.provider === "external" ? 1 : rf,
      { timeoutMs: TOPICS_READY_TIMEOUT_MS, signal: undefined },
    );
    // Even then a KRaft broker can answer one more request with UNKNOWN_TOPIC_OR_PARTITION while it
    // applies the topic: retriable errors are waited out, as kafkajs's own retries are too short for it.
    const [input, output, dlq] = await whileRetriable(async () => {
      await ensureTopics(admin, specs);
      return Promise.all(
        [topics.input, topics.output, topics.dlq].map((t) => endOffsets(stack.connection(), t)),
      );
    }, TOPICS_READY_TIMEOUT_MS);
    const inputStart = input as Map<number, bigint>;
    // On a cluster with history (external), the run's group starts where the run starts, not at offset 0.
    if ([...inputStart.values()].some((o) => o > 0n)) {
      await admin.setOffsets({
        groupId,
        topic: topics.input,
        partitions: [...inputStart].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
      });
    }
    return { input: inputStart, output: output as Map<number, bigint>, dlq: dlq as Map<number, bigint> };
  } finally {
    await admin.disconnect();
  }
}

export async function waitForGroup(stack: StartedStack, groupId: string, members: number): Promise<void> {
  const admin = createKafka(stack.connection(), "lab-group-wait").admin();
  await admin.connect();
  try {
    let seen = "";
    await waitFor(
      async () => {
        const group = (await admin.describeGroups([groupId])).groups[0];
        seen = `${group?.state ?? "unknown"} with ${group?.members.length ?? 0} member(s)`;
        return group?.state === "Stable" && group.members.length === members ? true : undefined;
      },
      { what: `consumer group ${groupId}`, timeoutMs: 60_000, intervalMs: 250, describe: () => seen },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Runs `work` again while it fails with an error Kafka marks retriable, until `timeoutMs` has passed. */
async function whileRetriable<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export interface ExternalLoad {
  /** Starts the driver command now; resolves when it has exited or been stopped, with what it left in the topic. */
  run(): Promise<ExternalDriverRun>;
  stop(): Promise<void>;
}

/**
 * Starts following the input topic; `run` then runs the driver command with the scenario's settings in
 * its environment. Everything it writes from the run's start offsets on is the run's load.
 */
export async function startExternalLoad(
  options: Omit<ExternalLoadOptions, "written"> & {
    start: Map<number, bigint>;
    onRecord: (partition: number, offset: bigint, timestampMs: number) => void;
  },
): Promise<ExternalLoad> {
  const { start, onRecord, ...load } = options;
  const tail = new InputTail(load.connection, load.topic, start, onRecord);
  await tail.run();
  const written = async () => {
    let records = 0n;
    for (const [partition, end] of await endOffsets(load.connection, load.topic))
      records += end - (start.get(partition) ?? 0n);
    return Number(records);
  };
  return {
    run: () => runExternalLoad({ ...load, written }),
    stop: () => tail.stop(),
  };
}
