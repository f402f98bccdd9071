import type { RecordMetadata } from "kafkajs";
import type { GeneratedRecord } from "../events/generator.ts";

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

/** The records of one send() call that went to one partition, and where the broker put them. */
export interface AckedBatch {
  partition: number;
  /** Offset of `records[0]`; the others follow one by one, in order. */
  baseOffset: string;
  records: SentRecord[];
  ackedAtMs: number;
}

/**
 * Pairs what one send() call put on each partition with the broker's answer. Kafka appends a partition's
 * records of one produce request as one batch, in order, so record i got `baseOffset + i`.
 * Throws if the answer does not cover exactly the partitions sent to.
 */
export function mapAcks(
  sentByPartition: ReadonlyMap<number, readonly SentRecord[]>,
  metadata: readonly RecordMetadata[],
  ackedAtMs: number,
): AckedBatch[] {
  const answered = new Map<number, RecordMetadata>();
  for (const m of metadata) {
    if (answered.has(m.partition)) throw new Error(`the broker answered twice for partition ${m.partition}`);
    answered.set(m.partition, m);
  }
  const batches: AckedBatch[] = [];
  for (const [partition, records] of sentByPartition) {
    const answer = answered.get(partition);
    if (answer?.baseOffset === undefined || answer.errorCode !== 0) {
      throw new Error(
        `the broker's answer has no offset for partition ${partition}, which was sent ${records.length} record(s)`,
      );
    }
    answered.delete(partition);
    batches.push({ partition, baseOffset: answer.baseOffset, records: [...records], ackedAtMs });
  }
  if (answered.size > 0) {
    throw new Error(
      `the broker answered for partition(s) ${[...answered.keys()].join(", ")}, which were not sent to`,
    );
  }
  return batches;
}

/** The offset of `records[position]` of an acked batch (offsets are 64-bit, so strings). */
export function recordOffset(batch: AckedBatch, position: number): string {
  return (BigInt(batch.baseOffset) + BigInt(position)).toString();
}
