import type { PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { JAVA_MURMUR2 } from "./murmur2-java-cases.ts";
import { createPartitionChooser } from "./partitions.ts";

function partitions(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));
}

describe("createPartitionChooser", () => {
  it.each([1, 3, 7, 12])("puts keyed records where the Java client would, with %d partitions", (count) => {
    const choose = createPartitionChooser("t", partitions(count));
    for (const [key, hash] of JAVA_MURMUR2) {
      expect(choose(key)).toBe((hash & 0x7fffffff) % count);
    }
  });

  it("keeps a key on one partition even when that partition has no leader", () => {
    const choose = createPartitionChooser("t", partitions(3));
    const chooseDuringOutage = createPartitionChooser("t", partitions(3, [0, 1, 2]));
    for (const [key] of JAVA_MURMUR2) expect(chooseDuringOutage(key)).toBe(choose(key));
  });

  it("deals records without a key in turn, from the first partition, skipping leaderless ones", () => {
    const choose = createPartitionChooser("t", [...partitions(4, [2])].reverse());
    expect(Array.from({ length: 7 }, () => choose(null))).toEqual([0, 1, 3, 0, 1, 3, 0]);
  });

  it("refuses a topic without partitions", () => {
    expect(() => createPartitionChooser("t", [])).toThrow(/no partitions/);
  });
});
