import { base, en, Faker } from "@faker-js/faker";
import { DEFAULT_TOPICS } from "../../pipeline/topics.ts";
import type { FaultStep, Topology } from "./types.ts";

/** What a scenario writes as `faults: { nemesis: { … } }`; every field has a default. */
export interface NemesisSpec {
  /** No fault before this, so the aggregators have joined and the first windows committed. */
  startMs?: number;
  /** No fault in the last `quietMs` of the load: every broker and aggregator is back before it ends. */
  quietMs?: number;
}

const START_MS = 5_000;
const QUIET_MS = 10_000;

/**
 * The limits that keep a schedule survivable by 3 brokers (RF 3, min ISR 2) and the aggregator group:
 * - one broker episode at a time: a broker is brought back (restart, resume) before the next broker fault;
 *   after each episode the cluster gets `BROKER_RECOVERY_MS` (longer after a SIGKILL, whose restart may wait
 *   out ZooKeeper's 18 s session) so its replicas catch up before another broker goes;
 * - a broker down (kill, stop) at most `DOWN_MS.max`, paused at most `PAUSE_MS.max`;
 * - a rolling restart is the last broker episode and starts only with `ROLLING_BUDGET_MS` of its kind
 *   left before the quiet end, since it runs as long as its three restarts take;
 * - one aggregator episode at a time, touching one aggregator: with 2 or more, at least one always runs;
 *   every frozen one is resumed, every killed or removed one restarted, every added one removed again;
 *   with a single aggregator only add-and-remove episodes, so it is never left alone down;
 * - with 1 broker, no broker faults at all (RF 1 survives none).
 * Times alone cannot promise the first two on a slow machine (a broker took 32–71 s to be back in sync
 * here), so at run time harness/faults/nemesis-guard.ts also holds each broker fault until the previous one
 * is done and every partition is in sync: broker faults may then run late, even past the load's end.
 */
export const NEMESIS_LIMITS = {
  DOWN_MS: { min: 5_000, max: 15_000 },
  PAUSE_MS: { min: 2_000, max: 8_000 },
  BROKER_RECOVERY_MS: { afterKill: 20_000, otherwise: 10_000 },
  ROLLING_GAP_MS: 8_000,
  ROLLING_BUDGET_MS: { waitInSync: 60_000, noWait: 45_000 },
  CONSUMER_DOWN_MS: { min: 3_000, max: 10_000 },
  ADDED_FOR_MS: { min: 8_000, max: 20_000 },
  CONSUMER_GAP_MS: { min: 4_000, max: 10_000 },
} as const;

/** The nemesis's limits in one paragraph, for the scenario's description. */
export const NEMESIS_LIMITS_TEXT =
  "One broker fault at a time: each broker killed or stopped for 5–15 s or paused for 2–8 s is back " +
  "before the next broker fault (10 s later, 20 s after a kill), a rolling restart (waiting for in-sync " +
  "or 8 s apart) comes last; one aggregator at a time is killed, frozen or removed for 3–10 s, or one " +
  "is added for 8–20 s; every fault is undone before the last 10 s of the load. At run time a broker " +
  "fault also waits until the previous one is done and every partition is in sync (at most 90 s, else " +
  "it is not applied and the run fails), so on a slow machine broker faults may run late.";

type Kind = "kill" | "stop" | "pause" | "restart" | "rolling-wait" | "rolling-no-wait";
type ConsumerKind = "kill" | "freeze" | "remove" | "add";

/**
 * A random, survivable fault schedule over `durationMs` of load, drawn from `seed` alone: the same seed and
 * topology give the same schedule. Broker and aggregator episodes run on two independent timelines.
 */
export function nemesisSchedule(
  spec: NemesisSpec,
  seed: number,
  durationMs: number,
  topology: Pick<Topology, "brokers" | "consumers" | "partitions">,
): FaultStep[] {
  const faker = new Faker({ locale: [en, base], seed });
  const startMs = spec.startMs ?? START_MS;
  const endMs = durationMs - (spec.quietMs ?? QUIET_MS);
  const steps = [
    ...(topology.brokers >= 3 ? brokerEpisodes(faker, startMs, endMs, topology.partitions) : []),
    ...consumerEpisodes(faker, startMs, endMs, topology.consumers),
  ];
  return steps.sort((a, b) => a.atMs - b.atMs);
}

/** A whole number of ms in [min, max], rounded to 100 ms so schedules read well. */
function draw(faker: Faker, range: { min: number; max: number }): number {
  return faker.number.int({ min: range.min / 100, max: range.max / 100 }) * 100;
}

function brokerTargets(partitions: number): string[] {
  return [
    "broker:1",
    "broker:2",
    "broker:3",
    "controller",
    "coordinator:group",
    "coordinator:transaction",
    ...Array.from({ length: partitions }, (_, p) => `leader:${DEFAULT_TOPICS.input}/${p}`),
  ];
}

function brokerEpisodes(faker: Faker, startMs: number, endMs: number, partitions: number): FaultStep[] {
  const { DOWN_MS, PAUSE_MS, BROKER_RECOVERY_MS, ROLLING_GAP_MS, ROLLING_BUDGET_MS } = NEMESIS_LIMITS;
  const steps: FaultStep[] = [];
  const targets = brokerTargets(partitions);
  let at = startMs + draw(faker, { min: 0, max: 5_000 });
  for (;;) {
    const kinds: Kind[] = ["kill", "stop", "pause", "restart"];
    if (at + ROLLING_BUDGET_MS.waitInSync <= endMs) kinds.push("rolling-wait");
    if (at + ROLLING_BUDGET_MS.noWait <= endMs) kinds.push("rolling-no-wait");
    const kind = faker.helpers.arrayElement(kinds);
    if (kind === "rolling-wait" || kind === "rolling-no-wait") {
      steps.push({
        atMs: at,
        action: "rolling-restart",
        target: "broker:*",
        ...(kind === "rolling-no-wait" ? { waitInSync: false, gapMs: ROLLING_GAP_MS } : {}),
      });
      return steps;
    }
    const target = faker.helpers.arrayElement(targets);
    if (kind === "restart") {
      // A clean restart is over once the broker is started again; give it the time of a short outage.
      if (at + DOWN_MS.min > endMs) return steps;
      steps.push({ atMs: at, action: "restart", target });
      at += DOWN_MS.min + BROKER_RECOVERY_MS.otherwise;
      continue;
    }
    const downMs = draw(faker, kind === "pause" ? PAUSE_MS : DOWN_MS);
    const backAt = at + downMs;
    if (backAt > endMs) return steps;
    steps.push({ atMs: at, action: kind, target });
    steps.push({ atMs: backAt, action: kind === "pause" ? "resume" : "restart", target });
    at = backAt + (kind === "kill" ? BROKER_RECOVERY_MS.afterKill : BROKER_RECOVERY_MS.otherwise);
  }
}

function consumerEpisodes(faker: Faker, startMs: number, endMs: number, consumers: number): FaultStep[] {
  const { CONSUMER_DOWN_MS, ADDED_FOR_MS, CONSUMER_GAP_MS } = NEMESIS_LIMITS;
  const steps: FaultStep[] = [];
  // add-consumer names the next free index; removed members keep theirs.
  let nextIndex = consumers;
  let at = startMs + draw(faker, { min: 0, max: 5_000 });
  for (;;) {
    const kinds: ConsumerKind[] = consumers >= 2 ? ["kill", "freeze", "remove", "add"] : ["add"];
    const kind = faker.helpers.arrayElement(kinds);
    if (kind === "add") {
      const backAt = at + draw(faker, ADDED_FOR_MS);
      if (backAt > endMs) return steps;
      const target = `consumer:${nextIndex}`;
      nextIndex += 1;
      steps.push({ atMs: at, action: "add-consumer", target });
      steps.push({ atMs: backAt, action: "remove-consumer", target });
      at = backAt + draw(faker, CONSUMER_GAP_MS);
      continue;
    }
    const backAt = at + draw(faker, CONSUMER_DOWN_MS);
    if (backAt > endMs) return steps;
    const target = `consumer:${faker.number.int({ min: 0, max: consumers - 1 })}`;
    const [down, up] =
      kind === "freeze"
        ? (["stop-consumer", "resume-consumer"] as const)
        : kind === "kill"
          ? (["kill-consumer", "restart-consumer"] as const)
          : (["remove-consumer", "restart-consumer"] as const);
    steps.push({ atMs: at, action: down, target });
    steps.push({ atMs: backAt, action: up, target });
    at = backAt + draw(faker, CONSUMER_GAP_MS);
  }
}
