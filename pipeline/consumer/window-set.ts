import { type CountRecord, countRecord, type InputRecord, type PartitionWindow } from "./partition-window.ts";

/** A record as read, with the input partition it came from. */
export interface ReadRecord extends InputRecord {
  partition: number;
}

/**
 * A member's open windows, one per input partition: what it has counted and not yet committed. A window
 * leaves the set when its transaction starts (so it never changes while it commits), and every window is
 * dropped when its records must be read again: after a failed transaction, or when partitions move.
 */
export class WindowSet {
  private readonly open = new Map<number, PartitionWindow>();

  constructor(
    private readonly scope: { topic: string; windowMs: number },
    private readonly countOne: CountRecord = countRecord,
  ) {}

  get size(): number {
    return this.open.size;
  }

  partitions(): number[] {
    return [...this.open.keys()];
  }

  /**
   * Counts records into their partitions' windows, opening a window in the processing-time window of
   * `nowMs` where there is none. Returns the last record counted of each partition.
   */
  count(records: Iterable<ReadRecord>, nowMs: number): Map<number, ReadRecord> {
    const { topic, windowMs } = this.scope;
    const last = new Map<number, ReadRecord>();
    for (const record of records) {
      this.countOne(this.open, { topic, partition: record.partition, windowMs, nowMs }, record);
      last.set(record.partition, record);
    }
    return last;
  }

  isDue(partition: number, nowMs: number): boolean {
    return this.open.get(partition)?.isDue(nowMs) ?? false;
  }

  /** The partitions whose window has reached its end. */
  due(nowMs: number): number[] {
    return [...this.open].filter(([, window]) => window.isDue(nowMs)).map(([partition]) => partition);
  }

  /** Takes the partitions' windows out of the set to commit them; empty ones are dropped, not returned. */
  take(partitions: Iterable<number>): [number, PartitionWindow][] {
    const taken: [number, PartitionWindow][] = [];
    for (const partition of partitions) {
      const window = this.open.get(partition);
      this.open.delete(partition);
      if (window && !window.isEmpty()) taken.push([partition, window]);
    }
    return taken;
  }

  drop(partitions: Iterable<number>): void {
    for (const partition of partitions) this.open.delete(partition);
  }

  dropAll(): void {
    this.open.clear();
  }
}
