import type { Admin } from "kafkajs";
import { createKafka } from "../../pipeline/kafka/client.ts";
import { ensureTopics, type TopicSpec } from "../../pipeline/topics.ts";
import { systemClock } from "../core/clock.ts";
import { type RetryOptions, retryWhile } from "../core/retry.ts";
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
    await createMissing(admin, specs);
    await waitForTopicMetadata(
      stack.connection(),
      specs.map((s) => s.topic),
      stack.provider === "external" ? 1 : rf,
      { timeoutMs: TOPICS_READY_TIMEOUT_MS, signal: undefined },
    );
    // Even then a KRaft broker can answer one more request with UNKNOWN_TOPIC_OR_PARTITION while it
    // applies the topic: retriable errors are waited out, as kafkajs's own retries are too short for it.
    const [input, output, dlq] = await retryWhile(
      async () => {
        await ensureTopics(admin, specs);
        return Promise.all(
          [topics.input, topics.output, topics.dlq].map((t) => endOffsets(stack.connection(), t)),
        );
      },
      waitingOut((error) => (error as { retriable?: boolean }).retriable === true),
    );
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

/** Waits out what `passes` for as long as the topics may take to be ready. */
function waitingOut(passes: (error: unknown) => boolean): RetryOptions {
  return { passes, clock: systemClock, untilMs: systemClock.now() + TOPICS_READY_TIMEOUT_MS, pauseMs: 500 };
}

/** Creates the topics not there yet; what a moment's wait resolves is waited out (see creationToWaitOut). */
async function createMissing(
  admin: Pick<Admin, "listTopics" | "createTopics">,
  specs: readonly TopicSpec[],
): Promise<void> {
  await retryWhile(async () => {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
      })),
      waitForLeaders: false,
    });
  }, waitingOut(creationToWaitOut));
}

/** Answers to CreateTopics that a moment's wait resolves (see creationToWaitOut). */
const WAIT_OUT = new Set(["TOPIC_ALREADY_EXISTS", "REQUEST_TIMED_OUT", "INVALID_REPLICATION_FACTOR"]);

/**
 * Whether every topic's error in a failed CreateTopics passes with time. In ZooKeeper mode the controller
 * answers REQUEST_TIMED_OUT when its brokers learn of a topic later than the request's timeout, as on a
 * loaded machine, yet creates it all the same; a broker that is still registering makes
 * INVALID_REPLICATION_FACTOR for a moment; a topic created meanwhile exists. Anything else is the
 * cluster refusing, and is not waited on.
 */
export function creationToWaitOut(error: unknown): boolean {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0)
    return (error as { retriable?: boolean }).retriable === true;
  return errors.every(
    (e: { type?: string; retriable?: boolean }) => e.retriable === true || WAIT_OUT.has(e.type ?? ""),
  );
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
