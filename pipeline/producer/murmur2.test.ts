import { base, Faker } from "@faker-js/faker";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { murmur2 } from "./murmur2.ts";
import { JAVA_MURMUR2 } from "./murmur2-java-cases.ts";

describe("murmur2", () => {
  it.each(JAVA_MURMUR2)("hashes %j as Java does", (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it("picks the partition kafkajs's default partitioner picks, for keys of every length and byte", () => {
    const faker = new Faker({ locale: base, seed: 42 });
    const keys = Array.from({ length: 2000 }, (_, i) =>
      Buffer.from(Array.from({ length: i % 70 }, () => faker.number.int(255))),
    );
    for (const count of [1, 6, 7, 64, 1000]) {
      const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      }));
      const kafkajs = Partitioners.DefaultPartitioner();
      const theirs = keys.map((key) =>
        kafkajs({ topic: "t", partitionMetadata, message: { key, value: null } }),
      );
      expect(keys.map((key) => (murmur2(key) & 0x7fffffff) % count)).toEqual(theirs);
    }
  });
});
