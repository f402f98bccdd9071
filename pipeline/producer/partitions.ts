import type { PartitionLeader } from "../kafka/record-producer.ts";
import { murmur2 } from "./murmur2.ts";

/** Picks a record's partition up front, so that its offset can be read from the ack. */
export type PartitionChooser = (key: string | Buffer | null) => number;

/**
 * Keyed records go where the Java client and kafkajs would put them (murmur2 of the key's UTF-8 bytes), so
 * a user's logins stay in order on one partition. Records without a key take turns over the partitions that
 * have a leader, starting at the first, so that a seeded run spreads them the same way each time.
 */
export function createPartitionChooser(
  topic: string,
  partitionMetadata: readonly PartitionLeader[],
): PartitionChooser {
  if (partitionMetadata.length === 0)
    throw new RangeError(`topic ${topic} has no partitions in its metadata`);
  const all = [...partitionMetadata].sort((a, b) => a.partitionId - b.partitionId);
  const led = all.filter((p) => p.leader >= 0);
  const turns = (led.length > 0 ? led : all).map((p) => p.partitionId);
  let turn = 0;
  return (key) => {
    if (key === null) return turns[turn++ % turns.length] as number;
    const bytes = typeof key === "string" ? Buffer.from(key) : key;
    return (murmur2(bytes) & 0x7fffffff) % all.length;
  };
}
