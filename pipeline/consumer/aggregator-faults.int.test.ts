import { readFileSync } from "node:fs";
import { afterAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { waitFor } from "../../harness/core/wait-for.ts";
import { startLocalStack } from "../../harness/infra/local/local-stack.ts";
import { waitForKafka } from "../../harness/infra/readiness.ts";
import type { StartedStack } from "../../harness/infra/types.ts";
import {
  type AggregatorGroup,
  aggregatorGroup,
  drained,
  produceLogins,
} from "../../harness/testing/aggregator-group.ts";
import { expectExact } from "../../harness/testing/exactness.ts";
import { type Collected, collect } from "../../harness/verify/collect.ts";
import { createKafka, type KafkaConnection } from "../kafka/client.ts";
import { CLIENT_NAMES, type ClientName } from "../kafka/record-producer.ts";

/**
 * Faults that once made the aggregator lose, double-count or stop counting (issue 8). Each test drives
 * one interleaving on real Kafka and checks the published analytics against a recount of the input.
 */

const shared = inject("stack");
const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let threeBrokerStack: Promise<StartedStack> | undefined;

/**
 * One 3-broker stack for every test that breaks a broker, on both clients, started when the first one needs
 * it: 3 brokers take most of a minute to start on 2 cores. A local `restart` returns only once the broker
 * serves again, relaunching it while ZooKeeper still holds the killed one's session; each test puts back
 * what it broke, also when it fails, and uses topics and a group of its own; the next waits until all
 * three brokers are registered (a broker hung past its ZooKeeper session registers anew once it runs).
 */
async function sharedThreeBrokers(): Promise<StartedStack> {
  threeBrokerStack ??= startLocalStack({ brokers: 3, kraft: false, prometheus: false, log });
  const stack = await threeBrokerStack;
  await waitForKafka(stack.connection(), 3, { timeoutMs: 120_000, signal: undefined });
  return stack;
}

/**
 * Breaks `broker` with `fault` for `forMs`, then undoes it (resume, or a restart that returns once the broker
 * serves); a test that ends meanwhile, by a failure or its time limit, undoes it as it finishes.
 */
async function breakBrokerFor(
  stack: StartedStack,
  broker: number,
  fault: "pause" | "stop" | "kill",
  forMs: number,
): Promise<void> {
  const undo = fault === "pause" ? "resume" : "restart";
  let undone = false;
  onTestFinished(async () => {
    if (!undone) await stack.faults.apply(undo, broker);
  });
  await stack.faults.apply(fault, broker);
  await pause(forMs);
  undone = true;
  await stack.faults.apply(undo, broker);
}

afterAll(async () => {
  await (await threeBrokerStack)?.stop();
});

interface SetUpOptions {
  client: ClientName;
  partitions: number;
  replicationFactor: number;
  windowMs: number;
}

/** A test's topics and aggregators; a member left stopped by a fault is let go on before it is killed. */
async function setUp(connection: KafkaConnection, options: SetUpOptions): Promise<AggregatorGroup> {
  const setup = await aggregatorGroup(connection, options);
  onTestFinished(() => {
    for (const pid of setup.fleet.events.flatMap((e) => (e.pid ? [e.pid] : []))) signalGroup(pid, "SIGCONT");
  });
  return setup;
}

/**
 * A test's group with `members` aggregators under a steady load of logins that goes on while the test
 * breaks something; returns once they are counting: each holds partitions and the group has committed.
 */
async function underLoad(
  connection: KafkaConnection,
  options: SetUpOptions & { members: number },
  logins: { rate: number; durationMs: number; seed: number },
): Promise<{ setup: AggregatorGroup; load: ReturnType<typeof produceLogins> }> {
  const setup = await setUp(connection, options);
  for (let member = 0; member < options.members; member += 1) await setup.fleet.add();
  const load = produceLogins(setup, logins);
  await counting(setup, options.members);
  return { setup, load };
}

/** Waits until each of the first `members` aggregators last joined with partitions and the group has committed. */
async function counting(setup: AggregatorGroup, members: number): Promise<void> {
  const admin = createKafka(setup.connection, "warm-up").admin();
  await admin.connect();
  const joins = () => Array.from({ length: members }, (_, index) => assignments(setup, index).at(-1) ?? "");
  try {
    await waitFor(
      async () => {
        if (joins().some((join) => join === "" || join === "none")) return undefined;
        const [offsets] = await admin.fetchOffsets({ groupId: setup.groupId, topics: [setup.topics.input] });
        return offsets?.partitions.some((p) => BigInt(p.offset) >= 0n) ? true : undefined;
      },
      {
        what: "the aggregators to hold partitions and the group to commit",
        timeoutMs: 90_000,
        intervalMs: 250,
        describe: () => `last joins: ${joins().join(" | ")}`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/** `underLoad` on the shared 3-broker stack, with its topics replicated to all three. */
async function underLoadOnThreeBrokers(
  options: Omit<SetUpOptions, "replicationFactor"> & { members: number },
  logins: { rate: number; durationMs: number; seed: number },
): Promise<{ stack: StartedStack; setup: AggregatorGroup; load: ReturnType<typeof produceLogins> }> {
  const stack = await sharedThreeBrokers();
  return { stack, ...(await underLoad(stack.connection(), { ...options, replicationFactor: 3 }, logins)) };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Reads back everything, with every input offset from the first to the last expected to be covered. */
async function collectAll(setup: AggregatorGroup): Promise<Collected> {
  const admin = createKafka(setup.connection, "coverage").admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(setup.topics.input).finally(() => admin.disconnect());
  const coverage = new Map<number, [bigint, bigint]>();
  for (const { partition, low, high } of ends) {
    if (BigInt(high) > BigInt(low)) coverage.set(partition, [BigInt(low), BigInt(high) - 1n]);
  }
  return collect(setup.connection, setup.topics, { coverage });
}

/** Once the load under a fault has ended, drains the group, stops it and checks the analytics exact. */
async function expectExactAfter(
  setup: AggregatorGroup,
  fault: string,
  load: ReturnType<typeof produceLogins>,
  drainMs: number,
): Promise<void> {
  const sent = await load;
  log(`${fault}: ${sent.acked} acked, ${sent.failed} failed`);
  await drained(setup, drainMs);
  await setup.fleet.stopAll();
  expectExact(await collectAll(setup));
}

function pidOf(setup: AggregatorGroup, index: number): number {
  const pid = [...setup.fleet.events].reverse().find((e) => e.index === index && e.pid !== undefined)?.pid;
  if (pid === undefined) throw new Error(`consumer-${index} has no pid`);
  return pid;
}

/** The partition lists a consumer logged on each group join, in order. */
function assignments(setup: AggregatorGroup, index: number): string[] {
  const text = readFileSync(setup.fleet.logFiles()[index] as string, "utf8");
  return [...text.matchAll(/joined group \S+: partitions (\S+)/g)].map((m) => m[1] as string);
}

/**
 * The transactional ids the aggregators commit with: on kafkajs one per input partition, derived from the
 * group; on librdkafka one per member (KIP-447), which each logs when it starts.
 */
function transactionalIds(setup: AggregatorGroup, partitions: number): string[] {
  if (setup.client === "kafkajs")
    return Array.from({ length: partitions }, (_, p) => `${setup.groupId}-${setup.topics.input}-${p}`);
  return setup.fleet
    .logFiles()
    .flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/transactional id ([^\s:]+)/g)].map((m) => m[1] as string),
    );
}

/** Java's String.hashCode, which Kafka uses to place a transactional id on a __transaction_state partition. */
function javaHash(text: string): number {
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + (char.codePointAt(0) as number)) | 0;
  return hash;
}

/**
 * The broker that coordinates `key` (a group id on __consumer_offsets, a transactional id on
 * __transaction_state): the leader of partition |hash(key)| mod the topic's partition count, as Kafka places it.
 */
async function coordinatorOf(
  connection: KafkaConnection,
  internalTopic: "__consumer_offsets" | "__transaction_state",
  key: string,
): Promise<number> {
  const admin = createKafka(connection, "coordinator-lookup").admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [internalTopic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    const hash = javaHash(key);
    const index = (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions.length;
    const leader = partitions.find((p) => p.partitionId === index)?.leader;
    if (leader === undefined) throw new Error(`no leader for ${internalTopic}/${index}`);
    return leader;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the internal topic exists (the group has joined, the first transaction has begun). */
function coordinatorOnceKnown(
  connection: KafkaConnection,
  internalTopic: "__consumer_offsets" | "__transaction_state",
  key: string,
): Promise<number> {
  return waitFor(() => coordinatorOf(connection, internalTopic, key), {
    what: `the coordinator of ${key}`,
    timeoutMs: 60_000,
    intervalMs: 500,
  });
}

describe.each(CLIENT_NAMES)("the aggregator on %s under faults", (client) => {
  it("stays exact when a broker hangs (SIGSTOP) past the session timeout under load: 3 brokers, 6 partitions, 2 aggregators", async () => {
    const { stack, setup, load } = await underLoadOnThreeBrokers(
      { client, partitions: 6, windowMs: 2_000, members: 2 },
      { rate: 2_000, durationMs: 36_000, seed: 21 },
    );
    // Hang a broker that coordinates transactions of the aggregators but not their group: members whose
    // commits hang are evicted while the other keeps heartbeating and takes their partitions, then they
    // come back. Hanging the group coordinator instead would stall both members alike.
    const group = await coordinatorOnceKnown(setup.connection, "__consumer_offsets", setup.groupId);
    const transactions = await Promise.all(
      transactionalIds(setup, 6).map((id) =>
        coordinatorOnceKnown(setup.connection, "__transaction_state", id),
      ),
    );
    const candidates = stack.brokerIds().filter((id) => id !== group);
    const count = (id: number) => transactions.filter((t) => t === id).length;
    const hung = candidates.reduce((best, id) => (count(id) > count(best) ? id : best));
    log(
      `hanging broker ${hung}: coordinator of ${count(hung)} of ${transactions.length} transactional ids; the group's is ${group}`,
    );
    await breakBrokerFor(stack, hung, "pause", 22_000);
    await expectExactAfter(setup, "hung broker", load, 120_000);
  }, 420_000);

  it("stays exact when a frozen aggregator (a zombie with open windows) wakes up and regains its partitions", async () => {
    const { setup, load } = await underLoad(
      { brokers: shared.bootstrapServers },
      { client, partitions: 6, replicationFactor: 1, windowMs: 4_000, members: 2 },
      { rate: 1_000, durationMs: 32_000, seed: 23 },
    );
    const zombie = pidOf(setup, 1);
    signalGroup(zombie, "SIGSTOP");
    // Past the 10 s session timeout the group evicts the zombie and consumer-0 takes every partition.
    await waitFor(() => (assignments(setup, 0).at(-1)?.split(",").length === 6 ? true : undefined), {
      what: "consumer-0 to take all 6 partitions from the frozen consumer-1",
      timeoutMs: 60_000,
      intervalMs: 250,
      describe: () => `consumer-0's joins: ${assignments(setup, 0).join(" | ")}`,
    });
    signalGroup(zombie, "SIGCONT");
    expect((await load).failed).toBe(0);
    await drained(setup, 90_000);
    await setup.fleet.stopAll();
    const joins = assignments(setup, 1);
    // The interleaving under test: the zombie came back to the very partitions it held when frozen. Its
    // last join may hold every partition (stopAll stops consumer-0 first), so any later join that holds
    // all of the first one's partitions shows it.
    expect(joins.length).toBeGreaterThanOrEqual(2);
    const held = (joins[0] ?? "").split(",");
    const regained = joins.slice(1).some((join) => held.every((p) => join.split(",").includes(p)));
    expect(regained, `joins of the zombie: ${joins.join(" | ")}`).toBe(true);
    expectExact(await collectAll(setup));
  });

  it("stays exact and keeps counting when the transaction coordinator's broker is killed under load: 3 brokers", async () => {
    const { stack, setup, load } = await underLoadOnThreeBrokers(
      { client, partitions: 2, windowMs: 500, members: 1 },
      { rate: 1_000, durationMs: 30_000, seed: 25 },
    );
    const [transactionalId = ""] = transactionalIds(setup, 1);
    const coordinator = await coordinatorOnceKnown(setup.connection, "__transaction_state", transactionalId);
    log(`killing broker ${coordinator}, the transaction coordinator of ${transactionalId}`);
    await breakBrokerFor(stack, coordinator, "kill", 10_000);
    await expectExactAfter(setup, "coordinator killed", load, 90_000);
  }, 300_000);

  it("stays exact through a rolling restart that does not wait for in-sync: 3 brokers, 6 partitions, 2 aggregators", async () => {
    // Issue 16, finding 1: partition leaders move three times under load, while the restarted broker may
    // still be catching up. On kafkajs a fetcher per broker then hands over batches fetched before a seek
    // took effect, or the same offsets twice; counting them lost and double-counted records.
    const { stack, setup, load } = await underLoadOnThreeBrokers(
      { client, partitions: 6, windowMs: 3_000, members: 2 },
      { rate: 1_500, durationMs: 50_000, seed: 27 },
    );
    for (const broker of stack.brokerIds()) {
      log(`stopping broker ${broker}; restarting it 7 s later, not waiting for it to be in sync`);
      await breakBrokerFor(stack, broker, "stop", 7_000);
      await pause(7_000);
    }
    await expectExactAfter(setup, "rolling restart", load, 120_000);
  }, 480_000);

  it("counts a window whose labels exceed the broker's message limit, and everything after it", async () => {
    const setup = await setUp(
      { brokers: shared.bootstrapServers },
      { client, partitions: 1, replicationFactor: 1, windowMs: 3_000 },
    );
    const producer = createKafka(setup.connection, "poison").producer({ idempotent: true });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const login = (i: number, locale: string) =>
      JSON.stringify({ user_id: `u${i}`, timestamp: 1_700_000_000 + i, device_type: "iOS", locale });
    // 30 valid logins with ~60 KB locales: about 1.8 MB of distinct labels in one window.
    for (let i = 0; i < 30; i += 1) {
      await producer.send({
        topic: setup.topics.input,
        acks: -1,
        messages: [{ key: `u${i}`, value: login(i, `${i}-${"x".repeat(60_000)}`) }],
      });
    }
    const normal = Array.from({ length: 2_000 }, (_, i) => ({
      key: `n${i}`,
      value: login(100 + i, i % 2 === 0 ? "CA" : "NY"),
    }));
    for (let i = 0; i < normal.length; i += 500) {
      await producer.send({ topic: setup.topics.input, acks: -1, messages: normal.slice(i, i + 500) });
    }
    await setup.fleet.add();
    await drained(setup, 60_000);
    await setup.fleet.stopAll();
    const collected = await collectAll(setup);
    expect(collected.recount.valid).toBe(2_030);
    expectExact(collected);
  });
});
