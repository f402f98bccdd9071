import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import type { FaultRecord } from "../faults/types.ts";
import type { GroupMember, PartitionLag } from "./lag-probe.ts";
import {
  type PartitionProgress,
  type StallEpisode,
  StallTracker,
  stallAssertion,
  stallBoundMs,
} from "./stalls.ts";

/**
 * How long after a scheduled fault its stalls are excused: the longer of the two clients' default session
 * timeouts (librdkafka's 45 s), since a frozen or killed owner keeps its partitions until then, plus the
 * time the fault itself lasted.
 */
export const FAULT_EXCUSE_MS = 45_000;

/** The pipeline's aggregators name their client `login-aggregator-<pid>-<random>`. */
const PIPELINE_CLIENT_ID = /^login-aggregator-(\d+)-/;

export interface LivenessOptions {
  topic: string;
  windowMs: number;
  /** The run's fault records, as they are written (when each fault is done). */
  faults: readonly FaultRecord[];
  /** When each scheduled fault is due, in ms since the load started: a fault in flight has no record yet. */
  plannedFaultsMs: readonly number[];
  /** The consumer index a process id belongs to, when it is one of the fleet's. */
  indexOfPid: (pid: number) => number | undefined;
  log: (line: string) => void;
}

/**
 * Liveness over the run: the observer's per-partition lag goes to a stall tracker, a stall is said in the
 * log the second it passes the bound, and the run's verdict gets one assertion naming every stall. A fault
 * is recorded only once it is done (a broker restart, a throttle), so the verdict replays the samples
 * against the final fault list: a line logged while a long fault was still in flight may be excused there.
 */
export class Liveness {
  readonly boundMs: number;
  private readonly live: StallTracker;
  private readonly samples: { atMs: number; progress: PartitionProgress[] }[] = [];

  constructor(private readonly options: LivenessOptions) {
    this.boundMs = stallBoundMs(options.windowMs);
    this.live = this.tracker();
  }

  onPartitions = (elapsedMs: number, partitions: PartitionLag[]): void => {
    const progress: PartitionProgress[] = partitions.map((p) => ({
      partition: p.partition,
      end: p.end,
      position: p.position,
      owner: p.owned === undefined ? undefined : p.owner ? this.memberName(p.owner) : null,
    }));
    this.samples.push({ atMs: elapsedMs, progress });
    for (const stall of this.live.record(elapsedMs, progress)) this.options.log(this.describeNew(stall));
  };

  assertion(): Assertion {
    const final = this.tracker();
    for (const { atMs, progress } of this.samples) final.record(atMs, progress);
    // How much of the run faults left to judge, so that a pass is not read as more than it covered.
    const excused = this.samples.filter(({ atMs }) => this.excused(atMs)).length;
    return stallAssertion(this.options.topic, final.result(), final.measured(), {
      boundMs: this.boundMs,
      exemptionNote: `a stall is a backlog with no commit for over ${this.boundMs / 1000} s (3 windows, at least 30 s); each scheduled fault excuses every partition from its start until ${FAULT_EXCUSE_MS / 1000} s after it ended (a frozen or killed owner, or a lost leader, stalls partitions by design): ${excused} of ${this.samples.length} samples were excused`,
    });
  }

  private tracker(): StallTracker {
    return new StallTracker({ boundMs: this.boundMs, exempt: (atMs) => this.excused(atMs) });
  }

  private excused(atMs: number): boolean {
    const inWindow = (fromMs: number, toMs: number) => atMs >= fromMs && atMs <= toMs + FAULT_EXCUSE_MS;
    return (
      this.options.plannedFaultsMs.some((dueMs) => inWindow(dueMs, dueMs)) ||
      this.options.faults.some((f) =>
        inWindow(f.atMs, Math.max(f.atMs, f.doneAtMs ?? 0, f.throttle?.releasedAtMs ?? 0)),
      )
    );
  }

  /** `consumer-1 (pid 4242, login-aggregator-4242-ab12cd)` for one of ours, else the client id and host. */
  private memberName(member: GroupMember): string {
    const pid = Number(PIPELINE_CLIENT_ID.exec(member.clientId)?.[1] ?? Number.NaN);
    const index = Number.isNaN(pid) ? undefined : this.options.indexOfPid(pid);
    return index === undefined
      ? `${member.clientId} on ${member.host}`
      : `consumer-${index} (pid ${pid}, ${member.clientId})`;
  }

  private describeNew(stall: StallEpisode): string {
    const held = stall.member === "no member" ? "owned by no member" : `held by ${stall.member}`;
    return `stalled: ${this.options.topic}/${stall.partitions.join(",")} ${held}: no commit since ${stall.fromS} s (${stall.durationS} s), ${formatCount(stall.behind)} events behind`;
  }
}
