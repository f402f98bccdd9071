import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";

/** One partition in one sample: its end and committed offsets (null when unread) and who owns it. */
export interface PartitionProgress {
  partition: number;
  end: bigint | null;
  position: bigint | null;
  /** The owning member's name; `null` when no live member owns it; undefined when the group was not read. */
  owner: string | null | undefined;
}

/** Partitions of one member that went longer than the bound with a backlog and no commit. */
export interface StallEpisode {
  partitions: number[];
  /** The owner at the last stalled sample, or "no member" for partitions nobody owned. */
  member: string;
  /** Seconds since the load started: the last progress before the stall, and when progress came back. */
  fromS: number;
  /** Null while it is still open (at the end of the run: it never recovered). */
  toS: number | null;
  durationS: number;
  /** Events behind the committed offsets at the stall's last sample. */
  behind: number;
}

export interface StallRules {
  /** How long a partition with a backlog may go without its committed offset moving. */
  boundMs: number;
  /** Whether a scheduled fault excuses a stall at this time (ms since the load started). */
  exempt: (atMs: number) => boolean;
}

/** max(3 windows, 30 s): an aggregator commits once a window, and a rebalance may cost a few seconds more. */
export function stallBoundMs(windowMs: number): number {
  return Math.max(3 * windowMs, 30_000);
}

interface PartitionState {
  position: bigint | undefined;
  /** When it last made progress, had nothing to do, or was excused by a fault. */
  sinceMs: number;
  /** The episode open on it, once it is past the bound. */
  open: { member: string; behind: number; lastMs: number } | undefined;
}

interface PartitionEpisode {
  partition: number;
  member: string;
  fromMs: number;
  toMs: number | null;
  lastMs: number;
  behind: number;
}

/**
 * Liveness from the lag samples: a partition whose input is ahead of its committed offset and whose
 * committed offset has not moved for longer than the bound is stalled, whoever owns it. Finding 3 of issue
 * 16 was exactly this: lag stood still at 43,589 for two minutes while both members said they held
 * partitions. A sample that could not read a partition changes nothing; while a fault excuses it, each
 * partition's clock starts again.
 */
export class StallTracker {
  private readonly states = new Map<number, PartitionState>();
  private readonly episodes: PartitionEpisode[] = [];
  private lastMs = 0;

  constructor(private readonly rules: StallRules) {}

  /** Records one sample; returns the stalls first seen in it, so that they can be said at once. */
  record(atMs: number, partitions: PartitionProgress[]): StallEpisode[] {
    this.lastMs = atMs;
    const exempt = this.rules.exempt(atMs);
    const opened: PartitionEpisode[] = [];
    for (const p of partitions) {
      if (p.end === null || p.position === null) continue;
      const state = this.states.get(p.partition);
      if (state === undefined) {
        this.states.set(p.partition, { position: p.position, sinceMs: atMs, open: undefined });
        continue;
      }
      const moved = state.position !== p.position;
      state.position = p.position;
      if (moved || p.end <= p.position || exempt) {
        if (state.open) this.close(p.partition, state, atMs);
        state.sinceMs = atMs;
        continue;
      }
      const member =
        p.owner === undefined ? (state.open?.member ?? "an unknown member") : (p.owner ?? "no member");
      const behind = Number(p.end - p.position);
      if (state.open) {
        state.open = { member, behind, lastMs: atMs };
      } else if (atMs - state.sinceMs > this.rules.boundMs) {
        state.open = { member, behind, lastMs: atMs };
        opened.push({
          partition: p.partition,
          member,
          fromMs: state.sinceMs,
          toMs: null,
          lastMs: atMs,
          behind,
        });
      }
    }
    return group(opened, atMs);
  }

  /** Every stall so far; one still open is reported as lasting to the last sample. */
  result(): StallEpisode[] {
    const open = [...this.states].flatMap(([partition, s]) =>
      s.open
        ? [
            {
              partition,
              member: s.open.member,
              fromMs: s.sinceMs,
              toMs: null,
              lastMs: s.open.lastMs,
              behind: s.open.behind,
            },
          ]
        : [],
    );
    return group([...this.episodes, ...open], this.lastMs);
  }

  /** Partitions whose offsets were read at least twice: the ones whose progress could be judged. */
  measured(): number[] {
    return [...this.states.keys()].sort((a, b) => a - b);
  }

  private close(partition: number, state: PartitionState, atMs: number): void {
    const open = state.open;
    if (!open) return;
    this.episodes.push({
      partition,
      member: open.member,
      fromMs: state.sinceMs,
      toMs: atMs,
      lastMs: atMs,
      behind: open.behind,
    });
    state.open = undefined;
  }
}

/** Partitions of one member whose stalls began and ended together form one episode. */
function group(episodes: PartitionEpisode[], nowMs: number): StallEpisode[] {
  const byKey = new Map<string, PartitionEpisode[]>();
  for (const e of episodes) {
    const key = `${e.member}\u0000${e.fromMs}\u0000${e.toMs}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  return [...byKey.values()]
    .map((list) => {
      const first = list[0] as PartitionEpisode;
      const endMs = first.toMs ?? nowMs;
      return {
        partitions: list.map((e) => e.partition).sort((a, b) => a - b),
        member: first.member,
        fromS: seconds(first.fromMs),
        toS: first.toMs === null ? null : seconds(first.toMs),
        durationS: seconds(endMs - first.fromMs),
        behind: list.reduce((sum, e) => sum + e.behind, 0),
      };
    })
    .sort((a, b) => a.fromS - b.fromS || (a.partitions[0] ?? 0) - (b.partitions[0] ?? 0));
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export function describeStall(topic: string, e: StallEpisode): string {
  const partitions = `${topic}/${e.partitions.join(",")}`;
  const held = e.member === "no member" ? "owned by no member" : `held by ${e.member}`;
  const span =
    e.toS === null
      ? `from ${e.fromS} s to the end of the run (${e.durationS} s, never recovered)`
      : `from ${e.fromS} s to ${e.toS} s (${e.durationS} s)`;
  return `${partitions} ${held}: no commit ${span}, ${formatCount(e.behind)} events behind`;
}

/**
 * The liveness verdict: every partition with a backlog made progress within the bound. Which stalls the
 * scheduled faults excused is said beside it, so that a pass is not read as more than it is.
 */
export function stallAssertion(
  topic: string,
  episodes: StallEpisode[],
  measured: number[],
  rules: { boundMs: number; exemptionNote: string },
): Assertion {
  const bound = `${rules.boundMs / 1000} s`;
  const base = {
    name: "every partition with a backlog made progress",
    relation: "=" as const,
    expectedValue: 0,
    unit: "stalls",
    expected: `no partition goes ${bound} with events behind and its committed offset still`,
  };
  if (measured.length === 0) {
    return {
      ...base,
      observedValue: null,
      observed: "not measured",
      pass: false,
      detail: "the group's committed offsets were never read twice, so progress could not be judged",
    };
  }
  return {
    ...base,
    observedValue: episodes.length,
    observed:
      episodes.length === 0 ? "none stalled" : `${episodes.length} stall${episodes.length === 1 ? "" : "s"}`,
    pass: episodes.length === 0,
    detail: [...episodes.map((e) => describeStall(topic, e)), rules.exemptionNote].join("; "),
  };
}
