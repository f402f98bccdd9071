/**
 * For each input partition, when each acknowledged event was due (epoch ms), by offset: the source of
 * end-to-end latency (due → its aggregate seen committed) and of lag in seconds (age of the oldest
 * unconsumed event). Offsets are kept in chunks that are dropped once the group has committed past them,
 * so a long soak holds only its backlog.
 */
const CHUNK = 65_536;

export class OffsetTimes {
  private readonly partitions = new Map<number, Map<number, Float64Array>>();

  set(partition: number, offset: bigint, dueTimeMs: number): void {
    this.chunk(partition, Number(offset / BigInt(CHUNK)))[Number(offset % BigInt(CHUNK))] = dueTimeMs;
  }

  /**
   * The due times of consecutive offsets from `firstOffset`, as one acknowledgement gives them: `set` for
   * each, without its BigInt arithmetic per record (offsets stay far below 2^53).
   */
  setAll(partition: number, firstOffset: bigint, records: readonly { dueTimeMs: number }[]): void {
    let offset = Number(firstOffset);
    let i = 0;
    while (i < records.length) {
      const index = Math.floor(offset / CHUNK);
      const chunk = this.chunk(partition, index);
      const end = Math.min(records.length, i + (index + 1) * CHUNK - offset);
      for (let at = offset - index * CHUNK; i < end; i += 1, at += 1) {
        chunk[at] = (records[i] as { dueTimeMs: number }).dueTimeMs;
      }
      offset = (index + 1) * CHUNK;
    }
  }

  /** The due time of the event at `offset`, or undefined when the lab did not send it (or forgot it). */
  get(partition: number, offset: bigint): number | undefined {
    const chunk = this.partitions.get(partition)?.get(Number(offset / BigInt(CHUNK)));
    const value = chunk?.[Number(offset % BigInt(CHUNK))];
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  /** Calls `visit` with the due time of every known offset in `[from, to]` (inclusive). */
  forEachInRange(partition: number, from: bigint, to: bigint, visit: (dueTimeMs: number) => void): void {
    const chunks = this.partitions.get(partition);
    if (!chunks) return;
    for (let offset = from; offset <= to; ) {
      const index = Number(offset / BigInt(CHUNK));
      const chunkEnd = BigInt(index + 1) * BigInt(CHUNK) - 1n;
      const last = to < chunkEnd ? to : chunkEnd;
      const chunk = chunks.get(index);
      if (chunk) {
        for (let i = Number(offset % BigInt(CHUNK)); i <= Number(last % BigInt(CHUNK)); i += 1) {
          const value = chunk[i] as number;
          if (!Number.isNaN(value)) visit(value);
        }
      }
      offset = last + 1n;
    }
  }

  private chunk(partition: number, index: number): Float64Array {
    let chunks = this.partitions.get(partition);
    if (!chunks) {
      chunks = new Map();
      this.partitions.set(partition, chunks);
    }
    let chunk = chunks.get(index);
    if (!chunk) {
      chunk = new Float64Array(CHUNK).fill(Number.NaN);
      chunks.set(index, chunk);
    }
    return chunk;
  }

  /** Forgets every chunk wholly below `offset`: the group has committed past them. */
  forgetBelow(partition: number, offset: bigint): void {
    const chunks = this.partitions.get(partition);
    if (!chunks) return;
    const firstKept = Number(offset / BigInt(CHUNK));
    for (const index of chunks.keys()) if (index < firstKept) chunks.delete(index);
  }
}
