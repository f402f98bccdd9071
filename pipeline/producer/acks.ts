import type { GeneratedRecord } from "../events/generator.ts";
import type { PartitionDelivery } from "../kafka/record-producer.ts";

/** One record as it went out: enough to check it later without keeping its bytes. */
export interface SentRecord {
  /** Its place in the run's sequence, from 0: the generator with the same seed and due times remakes it. */
  index: number;
  kind: GeneratedRecord["kind"];
  expected: GeneratedRecord["expected"];
  /** Epoch ms when the schedule wanted it sent; also its event timestamp. */
  dueTimeMs: number;
  sentAtMs: number;
}

/** Records of one send() call that landed on one partition at consecutive offsets. */
export interface AckedBatch {
  partition: number;
  /** Offset of `records[0]`; the others follow one by one, in order. */
  baseOffset: string;
  records: SentRecord[];
  ackedAtMs: number;
}

/** Records of one send() call whose outcome the client reported as failed: they may or may not be in the topic. */
export interface FailedRecords {
  error: Error;
  records: SentRecord[];
}

/**
 * Pairs what one send() call put on each partition with the client's per-partition outcomes, which come in
 * the order the records were given. Throws if the outcomes do not cover exactly the records sent.
 */
export function mapDeliveries(
  sentByPartition: ReadonlyMap<number, readonly SentRecord[]>,
  deliveries: readonly PartitionDelivery[],
  ackedAtMs: number,
): { acked: AckedBatch[]; failed: FailedRecords[] } {
  const answered = new Map<number, PartitionDelivery>();
  for (const d of deliveries) {
    if (answered.has(d.partition)) throw new Error(`the client answered twice for partition ${d.partition}`);
    answered.set(d.partition, d);
  }
  const acked: AckedBatch[] = [];
  const failed: FailedRecords[] = [];
  for (const [partition, records] of sentByPartition) {
    const answer = answered.get(partition);
    const covered = answer?.segments.reduce((n, s) => n + s.count, 0) ?? 0;
    if (covered !== records.length) {
      throw new Error(
        `the client's answer covers ${covered} record(s) of partition ${partition}, which was sent ${records.length}`,
      );
    }
    answered.delete(partition);
    let at = 0;
    for (const segment of answer?.segments ?? []) {
      const part = records.slice(at, at + segment.count);
      at += segment.count;
      if ("error" in segment) failed.push({ error: segment.error, records: part });
      else acked.push({ partition, baseOffset: segment.baseOffset, records: part, ackedAtMs });
    }
  }
  if (answered.size > 0) {
    throw new Error(
      `the client answered for partition(s) ${[...answered.keys()].join(", ")}, which were not sent to`,
    );
  }
  return { acked, failed };
}

/** The offset of `records[position]` of an acked batch (offsets are 64-bit, so strings). */
export function recordOffset(batch: AckedBatch, position: number): string {
  return (BigInt(batch.baseOffset) + BigInt(position)).toString();
}
