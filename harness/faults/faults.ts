import { base, en, Faker } from "@faker-js/faker";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { Assertion } from "../core/assertion.ts";
import type { Clock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { formatCount } from "../core/format.ts";
import type { ConsumerEvent, ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import { aggregatorTransactionalId, findCoordinator } from "../infra/aggregators/coordinator.ts";
import type { StartedStack } from "../infra/types.ts";
import type { FaultStep, Scenario } from "../scenario/types.ts";
import type { DutyCycle } from "./duty-cycle.ts";
import { clusterSyncProbe } from "./in-sync.ts";
import { brokerGuard } from "./nemesis-guard.ts";
import { describeRestart, restartFigures } from "./restart-note.ts";
import { IN_SYNC_TIMEOUT_MS, type RollingStep, rollingRestart } from "./rolling-restart.ts";
import { describeThrottle, throttleConsumers } from "./throttle.ts";
import type { FaultRecord } from "./types.ts";

/** When each fault fires, in ms after the load starts: `atMs`, plus a seeded draw below `jitterMs`. */
export function faultTimes(steps: readonly FaultStep[], seed: number): number[] {
  const faker = new Faker({ locale: [en, base], seed });
  return steps.map((step) =>
    step.jitterMs === undefined
      ? step.atMs
      : step.atMs + faker.number.int({ min: 0, max: step.jitterMs - 1 }),
  );
}

/** What a fault did, before it is stamped with its time and target. */
type Applied = Omit<FaultRecord, "atMs" | "action" | "target">;

export interface FaultSchedule {
  /** Records each fault not yet fired as not applied, and waits for those in flight. */
  finish(): Promise<void>;
}

/** What the faults of one run share: where they go, where they are recorded, and the targets resolved so far. */
interface FaultRun {
  scenario: Scenario;
  stack: StartedStack;
  fleet: ConsumerFleet;
  loadStartMs: number;
  clock: Clock;
  /** Where each fault goes as it is recorded (the run's timeline). */
  record: (fault: FaultRecord) => void;
  log: (line: string) => void;
  leaders: Map<string, Promise<{ brokerId: number; topic: string; partition: number }>>;
  controller: Promise<number> | undefined;
  coordinators: Map<string, Promise<{ brokerId: number; note: string }>>;
  /** The last fault of each queue (a target, or the nemesis's brokers): the next one waits for it. */
  queues: Map<string, Promise<void>>;
  inFlight: Promise<void>[];
  throttles: Set<DutyCycle>;
  nemesisGuard: ReturnType<typeof brokerGuard> | undefined;
}

/**
 * Applies each fault of the scenario's timeline at its time after the start of the load and hands it to
 * `record` as it is done, with what it hit. A fault that cannot be applied is recorded with its error (and
 * fails the run, see `faultsAssertion`). Faults on one target run in order, so a `resume` follows its `pause`.
 */
export function scheduleFaults(
  scenario: Scenario,
  stack: StartedStack,
  fleet: ConsumerFleet,
  loadStartMs: number,
  clock: Clock,
  record: (fault: FaultRecord) => void,
  log: (line: string) => void,
): FaultSchedule {
  const times = faultTimes(scenario.faults, scenario.seed);
  const fired = new Set<number>();
  const run: FaultRun = {
    scenario,
    stack,
    fleet,
    loadStartMs,
    clock,
    record,
    log,
    leaders: new Map(),
    controller: undefined,
    coordinators: new Map(),
    queues: new Map(),
    inFlight: [],
    throttles: new Set(),
    nemesisGuard: scenario.nemesis
      ? brokerGuard(() => clusterSyncProbe(stack.connection(), stack.brokerIds()), clock)
      : undefined,
  };
  const timers = scenario.faults.map((step, i) =>
    setTimeout(
      () => {
        fired.add(i);
        fire(run, step);
      },
      Math.max(0, loadStartMs + (times[i] ?? step.atMs) - clock.now()),
    ),
  );

  return {
    finish: async () => {
      for (const timer of timers) clearTimeout(timer);
      // A throttle still running when the load ends leaves every process it holds running.
      await Promise.all([...run.throttles].map((cycle) => cycle.release()));
      scenario.faults.forEach((step, i) => {
        if (fired.has(i)) return;
        record({
          atMs: times[i] ?? step.atMs,
          action: step.action,
          target: step.target,
          error: "not applied: the load ended before its time",
        });
      });
      await Promise.all(run.inFlight);
    },
  };
}

/** Queues a fault that is due behind the last one on its queue, and records what came of it. */
function fire(run: FaultRun, step: FaultStep): void {
  const { clock, loadStartMs, nemesisGuard, record, log } = run;
  const atMs = clock.now() - loadStartMs;
  const queue = nemesisGuard?.queueOf(step) ?? step.target;
  const previous = run.queues.get(queue) ?? Promise.resolve();
  if (step.action === "rolling-restart") {
    const rolling = previous.then(async () => {
      const blocked = (await nemesisGuard?.before(step))?.refused;
      if (blocked === undefined) return applyRolling(run, step);
      record({ atMs, action: step.action, target: step.target, error: blocked });
      log(`fault rolling-restart at ${(atMs / 1000).toFixed(1)} s not applied: ${blocked}`);
    });
    run.queues.set(queue, rolling);
    run.inFlight.push(rolling);
    return;
  }
  // A nemesis's broker fault may wait for the previous one and for in-sync: it is recorded at the
  // moment it was applied, so the URP check and the charts line up with what the cluster saw.
  let appliedAtMs = atMs;
  let inSyncSeenAtMs: number | undefined;
  const guarded = async () => {
    const verdict = await nemesisGuard?.before(step);
    if (verdict?.refused !== undefined) throw new Error(verdict.refused);
    if (verdict?.inSyncAtMs !== undefined) inSyncSeenAtMs = verdict.inSyncAtMs - loadStartMs;
    if (nemesisGuard) appliedAtMs = clock.now() - loadStartMs;
    return apply(run, step);
  };
  const done = previous.then(() =>
    guarded().then(
      (applied) =>
        recordApplied(
          run,
          step,
          inSyncSeenAtMs === undefined ? applied : { ...applied, inSyncSeenAtMs },
          appliedAtMs - atMs,
          appliedAtMs,
        ),
      (error: Error) => {
        record({ atMs, action: step.action, target: step.target, error: error.message });
        log(`fault ${step.action} ${step.target} at ${(atMs / 1000).toFixed(1)} s failed: ${error.message}`);
      },
    ),
  );
  run.queues.set(queue, done);
  run.inFlight.push(done);
}

function recordApplied(
  run: FaultRun,
  step: FaultStep,
  applied: Applied,
  waitedMs: number,
  appliedAtMs: number,
): void {
  run.record({
    atMs: appliedAtMs,
    action: step.action,
    target: step.target,
    ...applied,
    ...(run.nemesisGuard && waitedMs >= 1_000
      ? {
          note: `${applied.note ? `${applied.note}; ` : ""}applied ${(waitedMs / 1000).toFixed(1)} s after its time, once the previous broker fault was over and every partition in sync`,
        }
      : {}),
  });
  run.log(
    `fault at ${(appliedAtMs / 1000).toFixed(1)} s: ${step.action} ${step.target}${describeApplied(applied, step.target)}`,
  );
}

async function apply(run: FaultRun, step: FaultStep): Promise<Applied> {
  const { fleet, clock, loadStartMs } = run;
  const [kind, rest = ""] = step.target.split(":");
  if (step.action === "throttle-consumer") {
    const throttle = await throttleConsumers(fleet, step, run.throttles, () => clock.now() - loadStartMs);
    const [only] = throttle.processes;
    return {
      ...(throttle.processes.length === 1 && only
        ? { consumerIndex: only.consumerIndex, ...(only.pid ? { pid: only.pid } : {}) }
        : {}),
      signal: "SIGSTOP/SIGCONT",
      throttle,
      note: describeThrottle(throttle),
    };
  }
  if (kind === "consumer") return applyToConsumer(fleet, step, Number(rest));
  return applyToBroker(run, step, kind ?? "", rest);
}

/** The broker a target names: by id, or the leader, controller or coordinator it was when first hit. */
async function brokerOf(
  run: FaultRun,
  target: string,
  kind: string,
  rest: string,
): Promise<{ brokerId: number; leaderOf?: { topic: string; partition: number }; note?: string }> {
  const { stack } = run;
  if (kind === "leader") {
    // Resolved once, when the first fault on this target fires; later ones hit the same broker.
    let resolving = run.leaders.get(target);
    if (!resolving) {
      resolving = resolveLeader(stack.connection(), rest);
      run.leaders.set(target, resolving);
    }
    const leader = await resolving;
    return { brokerId: leader.brokerId, leaderOf: { topic: leader.topic, partition: leader.partition } };
  }
  if (kind === "controller") {
    // Like a leader: resolved when the first fault on it fires, so its restart hits the same broker.
    run.controller ??= resolveController(stack, run.scenario.topology.kraft);
    const brokerId = await run.controller;
    return { brokerId, note: `the active controller was broker ${brokerId}` };
  }
  if (kind === "coordinator") {
    // Like a leader: resolved when the first fault on it fires, so its restart hits the same broker.
    let resolving = run.coordinators.get(target);
    if (!resolving) {
      resolving = resolveCoordinator(stack, run.fleet, rest === "group" ? "group" : "transaction");
      run.coordinators.set(target, resolving);
    }
    return resolving;
  }
  return { brokerId: Number(rest) };
}

async function applyToBroker(run: FaultRun, step: FaultStep, kind: string, rest: string): Promise<Applied> {
  const { stack } = run;
  const { brokerId, leaderOf, note } = await brokerOf(run, step.target, kind, rest);
  const done = await stack.faults.apply(step.action as Parameters<typeof stack.faults.apply>[0], brokerId);
  // Which broker led the partition is data (`leaderOf`, `brokerId`); the reports write it from there.
  const notes = [note, describeRestart(done, brokerId)].filter((n) => n !== undefined);
  return {
    ...(done.pid ? { pid: done.pid } : {}),
    ...(done.signal ? { signal: done.signal } : {}),
    brokerId,
    ...(leaderOf ? { leaderOf } : {}),
    ...restartFigures(done),
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    doneAtMs: run.clock.now() - run.loadStartMs,
  };
}

async function applyRolling(run: FaultRun, step: FaultStep): Promise<void> {
  const { stack, clock } = run;
  const probe = clusterSyncProbe(stack.connection(), stack.brokerIds());
  try {
    await rollingRestart(
      {
        brokerIds: stack.brokerIds(),
        restart: (id) => stack.faults.apply("restart", id),
        outOfSync: probe.outOfSync,
        clock,
        timeoutMs: step.inSyncTimeoutMs ?? IN_SYNC_TIMEOUT_MS,
        ...(step.waitInSync === false ? { noWaitGapMs: step.gapMs ?? ROLLING_GAP_MS } : {}),
      },
      (s) => recordRollingStep(run, step, s),
    );
  } finally {
    await probe.close();
  }
}

/** One broker of a rolling restart, recorded as a fault of its own. */
function recordRollingStep(run: FaultRun, step: FaultStep, s: RollingStep): void {
  const since = (epochMs: number) => epochMs - run.loadStartMs;
  const atMs = since(s.atMs);
  const restarted = s.restart && describeRestart(s.restart, s.brokerId);
  const inSync =
    s.inSyncWaitMs === undefined
      ? undefined
      : `every partition in sync ${(s.inSyncWaitMs / 1000).toFixed(1)} s after broker ${s.brokerId} started`;
  const noWait =
    step.waitInSync === false && s.error === undefined
      ? `restarted ${((step.gapMs ?? ROLLING_GAP_MS) / 1000).toFixed(1)} s after the previous broker, without waiting for in-sync`
      : undefined;
  const notes = [restarted, noWait, inSync].filter((n) => n !== undefined);
  run.record({
    atMs,
    action: step.action,
    target: step.target,
    brokerId: s.brokerId,
    ...(s.pid ? { pid: s.pid } : {}),
    ...(s.signal ? { signal: s.signal } : {}),
    ...(s.doneAtMs === undefined ? {} : { doneAtMs: since(s.doneAtMs) }),
    ...(s.restart ? restartFigures(s.restart) : {}),
    ...(s.inSyncWaitMs === undefined ? {} : { inSyncWaitMs: s.inSyncWaitMs }),
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    ...(s.error === undefined ? {} : { error: s.error }),
  });
  run.log(
    `fault at ${(atMs / 1000).toFixed(1)} s: rolling restart of broker ${s.brokerId}${
      s.error === undefined
        ? `${restarted ? `, ${restarted}` : ""}${
            s.inSyncWaitMs === undefined
              ? ", not waiting for in-sync"
              : `, in sync ${(s.inSyncWaitMs / 1000).toFixed(1)} s after its start`
          }`
        : ` failed: ${s.error}`
    }`,
  );
}

/** " (pid 123, broker 2)": what a fault hit, for the log. */
function describeApplied(applied: Applied, target: string): string {
  const parts = [
    ...(applied.pid ? [`pid ${applied.pid}`] : []),
    ...(applied.brokerId !== undefined && target !== `broker:${applied.brokerId}`
      ? [`broker ${applied.brokerId}`]
      : []),
    ...(applied.startedAfterMs === undefined
      ? []
      : [
          `serving ${(applied.startedAfterMs / 1000).toFixed(1)} s after its restart` +
            ((applied.attempts ?? 1) > 1 ? `, on launch ${applied.attempts}` : ""),
        ]),
  ];
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

async function applyToConsumer(fleet: ConsumerFleet, step: FaultStep, index: number): Promise<Applied> {
  let event: ConsumerEvent;
  switch (step.action) {
    case "kill-consumer":
      event = await fleet.kill(index);
      break;
    case "restart-consumer":
      event = await fleet.restart(index);
      break;
    case "stop-consumer":
      event = await fleet.freeze(index);
      break;
    case "resume-consumer":
      event = await fleet.thaw(index);
      break;
    case "remove-consumer":
      event = await fleet.stop(index);
      break;
    case "add-consumer":
      if (fleet.size !== index)
        throw new LabError("USAGE", `add-consumer names index ${index}, but the next one is ${fleet.size}`);
      event = await fleet.addMember();
      break;
    default:
      throw new LabError("USAGE", `"${step.action}" is not a consumer action`);
  }
  return {
    consumerIndex: index,
    ...(event.pid ? { pid: event.pid } : {}),
    ...(event.signal ? { signal: event.signal } : {}),
  };
}

/**
 * The broker id of the active controller right now: from the stack where it can tell (the local one reads
 * each broker's ActiveControllerCount), else from the Metadata API, which names the controller only in
 * ZooKeeper mode (a KRaft cluster answers with a random broker there).
 */
async function resolveController(stack: StartedStack, kraft: boolean): Promise<number> {
  if (stack.activeController) return stack.activeController();
  if (kraft)
    throw new LabError(
      "USAGE",
      `the ${stack.provider} provider cannot tell which KRaft controller is active`,
      { hint: "use --provider local, or a broker:<id> target" },
    );
  const admin = createKafka(stack.connection(), "lab-fault-controller").admin();
  try {
    await admin.connect();
    const { controller } = await admin.describeCluster();
    if (controller === null) throw new LabError("KAFKA", "the cluster names no controller");
    return controller;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The fixed gap of a rolling restart that does not wait for in-sync, unless the step gives one. */
const ROLLING_GAP_MS = 10_000;

/** The broker coordinating the aggregators' group, or the transactions of one of their transactional ids. */
async function resolveCoordinator(
  stack: StartedStack,
  fleet: ConsumerFleet,
  kind: "group" | "transaction",
): Promise<{ brokerId: number; note: string }> {
  const keys = fleet.aggregatorKeys();
  const key = kind === "group" ? keys.groupId : aggregatorTransactionalId(keys);
  const brokerId = await findCoordinator(stack.connection(), kind, key);
  return {
    brokerId,
    note: `the ${kind === "group" ? "group" : "transaction"} coordinator of ${key} was broker ${brokerId}`,
  };
}

/** The broker leading `<topic>/<partition>` right now. */
async function resolveLeader(
  connection: KafkaConnection,
  topicPartition: string,
): Promise<{ brokerId: number; topic: string; partition: number }> {
  const slash = topicPartition.lastIndexOf("/");
  const topic = topicPartition.slice(0, slash);
  const partition = Number(topicPartition.slice(slash + 1));
  const admin = createKafka(connection, "lab-fault-leader").admin();
  try {
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = meta.topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0)
      throw new LabError(
        "KAFKA",
        `${topic}/${partition} has no leader to hit (metadata says ${leader ?? "nothing"})`,
      );
    return { brokerId: leader, topic, partition };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** A fault that did not happen makes the run prove nothing about it: the run fails, naming the fault. */
export function faultsAssertion(faults: readonly FaultRecord[]): Assertion | undefined {
  if (faults.length === 0) return undefined;
  const failed = faults.filter((f) => f.error !== undefined);
  const applied = faults.length - failed.length;
  return {
    name: "faults applied as scheduled",
    relation: "=",
    expectedValue: faults.length,
    observedValue: applied,
    unit: "faults",
    expected: `${formatCount(faults.length)} of ${formatCount(faults.length)}`,
    observed: `${formatCount(applied)} of ${formatCount(faults.length)}`,
    pass: failed.length === 0,
    ...(failed.length > 0
      ? {
          detail: failed
            .map((f) => `${f.action} ${f.target} at ${(f.atMs / 1000).toFixed(1)} s: ${f.error}`)
            .join("; "),
        }
      : {}),
  };
}
