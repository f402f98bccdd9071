import type { Clock } from "../core/clock.ts";
import { BoundedCall } from "./bounded-call.ts";
import type { PartitionLag } from "./lag-probe.ts";
import { groupLagSeconds, type LagSecondsReading, lagSecondsOf } from "./lag-seconds.ts";
import { LagStatusTracker, worstStatus } from "./lag-status.ts";
import type { RecordTimestamps } from "./record-timestamps.ts";
import type { Reading } from "./sample.ts";
import type { LagStatus } from "./types.ts";

/** Something lag is read from: the admin API in a run, a stand-in in tests. */
export interface LagSource {
  sample(): Promise<PartitionLag[]>;
}

/** Where the due time of an unconsumed event is known (the driver's acks), and forgotten once committed. */
export interface DueTimes {
  dueTime(partition: number, offset: bigint): number | undefined;
  forgetBelow(partition: number, offset: bigint): void;
}

/** One second's lag of the group: per partition, in offsets and seconds, and Burrow's status. */
export interface LagSample {
  atMs: number;
  partitions: PartitionLag[];
  offsets: Reading<number>;
  seconds: Reading<number>;
  status: LagStatus;
}

/** The lag probe's own calls are bounded at 800 ms each; this is the bound on the whole sample. */
const LAG_PROBE_TIMEOUT_MS = 1_000;
/** Reading one record's timestamp may take a fetch round trip or two. */
const RECORD_TIMESTAMP_TIMEOUT_MS = 500;

/** Reads the group's lag once a second; a partition it cannot read is a gap with the probe's reason. */
export class LagSampler {
  private readonly call: BoundedCall<PartitionLag[]>;
  private readonly status: LagStatusTracker;

  constructor(
    private readonly options: {
      clock: Clock;
      probe: LagSource;
      recordTimestamps: RecordTimestamps;
      inputStart: Map<number, bigint>;
      windowMs: number;
      dueTimes: DueTimes;
    },
  ) {
    // The probe bounds each of its calls; this bounds the whole, whatever probe is given.
    this.call = new BoundedCall("the lag probe", () => options.probe.sample(), LAG_PROBE_TIMEOUT_MS);
    // Burrow needs several commits in its window; the aggregator commits once per window.
    this.status = new LagStatusTracker({
      windowMs: Math.max(30_000, options.windowMs * 5),
      allowedLag: 0,
      staleAfterMs: 2_500,
    });
  }

  async sample(): Promise<LagSample> {
    const lag = await this.call.run();
    const partitions = lag.ok ? lag.value : this.allUnknown(lag.reason);
    const atMs = this.options.clock.now();
    const offsets = this.recordOffsets(partitions, atMs);
    const status = this.judge(partitions, atMs);
    const seconds = await this.lagSeconds(partitions, atMs);
    return { atMs, partitions, offsets, seconds, status };
  }

  /** The group's total lag, and each measured partition's committed offset into the status tracker. */
  private recordOffsets(partitions: PartitionLag[], atMs: number): Reading<number> {
    let total = 0;
    let unknown: string | undefined;
    for (const p of partitions) {
      if (p.lag === null || p.position === null) {
        unknown ??= `partition ${p.partition}: ${p.unknown ?? "not measured"}`;
        continue;
      }
      total += p.lag;
      this.status.record(p.partition, {
        atMs,
        committedOffset: Number(p.position),
        lag: p.lag,
        ...(p.owned === undefined ? {} : { owned: p.owned }),
      });
      // Keep one chunk below the committed offset: the analytics tail may still need those due times.
      this.options.dueTimes.forgetBelow(p.partition, p.position - 65_536n);
    }
    return unknown === undefined ? { ok: true, value: total } : { ok: false, reason: unknown };
  }

  /** The worst status over the partitions: UNKNOWN for one not measured this second, never OK by default. */
  private judge(partitions: PartitionLag[], atMs: number): LagStatus {
    const measured = new Set(partitions.filter((p) => p.lag !== null).map((p) => p.partition));
    const unknown = partitions
      .filter((p) => p.lag === null || p.position === null)
      .map(() => "UNKNOWN" as const);
    const statuses = this.status
      .evaluate(atMs)
      .partitions.filter((p) => measured.has(p.partition))
      .map((p) => p.status);
    return worstStatus([...unknown, ...statuses]);
  }

  private allUnknown(reason: string): PartitionLag[] {
    return [...this.options.inputStart.keys()].map((partition) => ({
      partition,
      end: null,
      position: null,
      lag: null,
      owned: undefined,
      unknown: reason,
    }));
  }

  /** The age of the oldest unconsumed event of each partition with a backlog, by due time or record timestamp. */
  private async lagSeconds(partitions: PartitionLag[], now: number): Promise<Reading<number>> {
    const readings = await Promise.all(
      partitions.map(async (p): Promise<{ partition: number; reading: LagSecondsReading }> => {
        if (p.lag === null || p.position === null) {
          return {
            partition: p.partition,
            reading: { seconds: null, reason: p.unknown ?? "lag not measured" },
          };
        }
        const dueTimeMs = p.lag > 0 ? this.options.dueTimes.dueTime(p.partition, p.position) : undefined;
        const recordTimestampMs =
          p.lag > 0 && dueTimeMs === undefined
            ? await this.options.recordTimestamps.timestampAt(
                p.partition,
                p.position,
                RECORD_TIMESTAMP_TIMEOUT_MS,
              )
            : { unknown: "not needed" };
        return {
          partition: p.partition,
          reading: lagSecondsOf(now, { lagOffsets: p.lag, dueTimeMs, recordTimestampMs }),
        };
      }),
    );
    const group = groupLagSeconds(readings);
    return group.seconds === null ? { ok: false, reason: group.reason } : { ok: true, value: group.seconds };
  }
}
