import type { PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
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

// murmur2 of these keys as Apache Kafka's own UtilsTest states them (signed 32-bit, as Java computes).
const JAVA_MURMUR2: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

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
