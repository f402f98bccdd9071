import { formatDuration } from "../core/clock.ts";
import { formatCount } from "../core/format.ts";
import type { LagStatus } from "./types.ts";

/** One poll of a partition: the group's committed offset and the lag (high watermark − committed). */
export interface LagSample {
  atMs: number;
  committedOffset: number;
  lag: number;
  /** Whether a live group member owns the partition; undefined when the caller does not know. */
  owned?: boolean;
}

export interface LagVerdict {
  status: LagStatus;
  reason: string;
}

export interface LagStatusOptions {
  /** The sliding window. Give it at least five of the consumer's commit intervals, or WARN gets noisy. */
  windowMs: number;
  /** Lag this small counts as caught up: 1 with transactions, where the commit marker takes an offset. */
  allowedLag?: number;
  /** A partition whose newest sample is older than this is UNKNOWN: its lag now is not known. */
  staleAfterMs?: number;
}

/**
 * Burrow ranks the error statuses STOP before STALL; a group's status is its worst partition's. UNKNOWN
 * outranks OK, so a group is never OK while one of its partitions cannot be measured, but a partition
 * known to be behind still says so.
 */
const SEVERITY: Record<LagStatus, number> = { OK: 0, UNKNOWN: 1, WARN: 2, STOP: 3, STALL: 4 };

/** The group's status: its worst partition's; UNKNOWN when there is none to judge. */
export function worstStatus(statuses: Iterable<LagStatus>): LagStatus {
  let worst: LagStatus | undefined;
  for (const status of statuses)
    if (worst === undefined || SEVERITY[status] > SEVERITY[worst]) worst = status;
  return worst ?? "UNKNOWN";
}

/**
 * Burrow's rules (github.com/linkedin/Burrow/wiki/Consumer-Lag-Evaluation-Rules) over polled samples.
 * Burrow sees every commit; a poller only sees the committed offset change, so a "commit" here is a
 * sample where the offset moved, and STOP versus STALL comes from whether a live member owns the
 * partition rather than from commit timestamps:
 * 1. lag caught up (≤ allowedLag) at any sample in the window → OK;
 * 2. committed offset went backwards → STALL (Burrow's REWIND, which LagStatus does not have);
 * 3. the offset has not moved for longer than it was moving in the window → STOP when no live member
 *    owns the partition, else STALL (checked only once the samples cover the whole window);
 * 4. the offset moves but the lag rose at each of at least four commits in a whole window → WARN (noise
 *    alone makes four rise in a row 1 time in 24; more commits per window make a false WARN rarer);
 * 5. otherwise OK.
 * `series` is in time order; samples older than the window are ignored, but for the newest one at or before
 * its start, which shows that the samples cover the whole window.
 */
export function evaluatePartition(
  series: readonly LagSample[],
  nowMs: number,
  options: LagStatusOptions,
): LagVerdict {
  const windowStartMs = nowMs - options.windowMs;
  const allowedLag = options.allowedLag ?? 0;
  const start = anchorIndex(series, windowStartMs);
  const samples = series.slice(start);
  const last = samples.at(-1);
  const first = samples[0];
  if (!first || !last) return { status: "UNKNOWN", reason: "no samples yet" };
  if (options.staleAfterMs !== undefined && nowMs - last.atMs > options.staleAfterMs) {
    return { status: "UNKNOWN", reason: `no sample for ${formatDuration(nowMs - last.atMs)}` };
  }
  if (samples.some((s) => s.atMs >= windowStartMs && s.lag <= allowedLag)) {
    return { status: "OK", reason: "caught up within the window" };
  }
  if (samples.some((s, i) => i > 0 && s.committedOffset < (samples[i - 1] as LagSample).committedOffset)) {
    return { status: "STALL", reason: "the committed offset went backwards (Burrow: REWIND)" };
  }
  const commits = samples.filter((s, i) => {
    const previous = series[start + i - 1];
    return previous !== undefined && s.committedOffset !== previous.committedOffset;
  });
  const lastCommit = commits.at(-1) ?? first;
  const stillFor = nowMs - lastCommit.atMs;
  const windowComplete = first.atMs <= windowStartMs;
  if (windowComplete && stillFor > lastCommit.atMs - first.atMs) {
    const still =
      commits.length === 0
        ? `in the last ${formatDuration(nowMs - first.atMs)}`
        : `for ${formatDuration(stillFor)}`;
    const behind = `the committed offset has not moved ${still}, with a lag of ${formatCount(last.lag)}`;
    return last.owned === false
      ? { status: "STOP", reason: `no live consumer owns the partition: ${behind}` }
      : { status: "STALL", reason: behind };
  }
  if (
    windowComplete &&
    commits.length >= 4 &&
    commits.every((c, i) => i === 0 || c.lag > (commits[i - 1] as LagSample).lag)
  ) {
    return {
      status: "WARN",
      reason: `lag grew at each of the last ${commits.length} commits, to ${formatCount(last.lag)}`,
    };
  }
  return { status: "OK", reason: "the consumer keeps up" };
}

/** Index of the newest sample at or before `windowStartMs`, or 0 when all are later. */
function anchorIndex(series: readonly LagSample[], windowStartMs: number): number {
  let index = 0;
  while (index + 1 < series.length && (series[index + 1] as LagSample).atMs <= windowStartMs) index++;
  return index;
}

export interface PartitionLagStatus extends LagVerdict {
  partition: number;
  lag: number;
}

/** Keeps a sliding window of lag samples per partition and evaluates each, and the group as its worst. */
export class LagStatusTracker {
  private readonly samples = new Map<number, LagSample[]>();

  constructor(private readonly options: LagStatusOptions) {}

  record(partition: number, sample: LagSample): void {
    const series = this.samples.get(partition) ?? [];
    series.push(sample);
    series.splice(0, anchorIndex(series, sample.atMs - this.options.windowMs));
    this.samples.set(partition, series);
  }

  evaluate(nowMs: number): { status: LagStatus; partitions: PartitionLagStatus[] } {
    const partitions = [...this.samples.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, series]) => ({
        partition,
        lag: series.at(-1)?.lag ?? 0,
        ...evaluatePartition(series, nowMs, this.options),
      }));
    return { status: worstStatus(partitions.map((p) => p.status)), partitions };
  }
}
