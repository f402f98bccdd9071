import { describe, expect, it } from "vitest";
import { batchAction, type OwnedProducer, PartitionOwners, PENDING_LIMIT_MS } from "./partition-owners.ts";
import type { Transaction } from "./window-transaction.ts";

/** Producers that log what is done to them, in one shared log, the way kafkajs would be driven. */
function world(options: { initFails?: boolean; committed?: (bigint | "pending")[] } = {}) {
  const log: string[] = [];
  let made = 0;
  const createProducer = (partition: number): OwnedProducer => {
    made += 1;
    const name = `p${partition}#${made}`;
    let initialised = false;
    return {
      connect: async () => void log.push(`${name} connect`),
      disconnect: async () => void log.push(`${name} disconnect`),
      transaction: async () => {
        // kafkajs sends InitProducerId only on a producer object's first transaction.
        if (!initialised) {
          log.push(`${name} init`);
          if (options.initFails) throw new Error("NOT_COORDINATOR");
          initialised = true;
        }
        return { abort: async () => void log.push(`${name} abort`) } as unknown as Transaction;
      },
    };
  };
  const reads = [...(options.committed ?? [])];
  const committedOffset = async (partition: number) => {
    log.push(`read committed ${partition}`);
    return reads.length > 1 ? (reads.shift() as bigint | "pending") : (reads[0] ?? 500n);
  };
  const sleep = async (ms: number) => void log.push(`wait ${ms} ms`);
  return { log, owners: new PartitionOwners({ createProducer, committedOffset, sleep }) };
}

describe("PartitionOwners", () => {
  it("claims with a new producer object each time, initialising it before reading the committed offset", async () => {
    const { log, owners } = world();
    const first = await owners.claim(3);
    const again = await owners.claim(3);
    expect(again.producer).not.toBe(first.producer);
    expect(again.committed).toBe(500n);
    expect(log).toEqual([
      "p3#1 connect",
      "p3#1 init",
      "p3#1 abort",
      "read committed 3",
      "p3#1 disconnect",
      "p3#2 connect",
      "p3#2 init",
      "p3#2 abort",
      "read committed 3",
    ]);
  });

  it("reads the committed offset again while a transaction holds it pending: the previous owner's last commit lands late", async () => {
    const { log, owners } = world({ committed: ["pending", "pending", "pending", 685n] });
    const claim = await owners.claim(5);
    expect(claim.committed).toBe(685n);
    expect(claim.next).toBe(685n);
    expect(log.filter((line) => line.startsWith("read committed"))).toHaveLength(4);
    expect(log.filter((line) => line.startsWith("wait"))).toEqual([
      "wait 50 ms",
      "wait 100 ms",
      "wait 200 ms",
    ]);
  });

  it("gives the claim up, keeping no producer, when the offset stays pending past the transaction timeout", async () => {
    const { log, owners } = world({ committed: ["pending"] });
    await expect(owners.claim(4)).rejects.toThrow(
      `the committed offset of partition 4 was still pending after ${PENDING_LIMIT_MS / 1000} s`,
    );
    expect(owners.get(4)).toBeUndefined();
    const waited = log
      .filter((line) => line.startsWith("wait"))
      .reduce((sum, line) => sum + Number(line.split(" ")[1]), 0);
    expect(waited).toBeGreaterThanOrEqual(PENDING_LIMIT_MS);
    expect(waited).toBeLessThan(PENDING_LIMIT_MS + 1_000);
    expect(log.at(-1)).toBe("p4#1 disconnect");
  });

  it("keeps no producer across a generation", async () => {
    const { log, owners } = world();
    await owners.claim(0);
    await owners.claim(1);
    await owners.releaseAll();
    expect(owners.partitions()).toEqual([]);
    expect(owners.get(0)).toBeUndefined();
    expect(log.filter((l) => l.endsWith("disconnect")).sort()).toEqual([
      "p0#1 disconnect",
      "p1#2 disconnect",
    ]);
  });

  it("keeps no half-initialised producer when the coordinator cannot be reached", async () => {
    const { log, owners } = world({ initFails: true });
    await expect(owners.claim(2)).rejects.toThrow(/NOT_COORDINATOR/);
    expect(owners.get(2)).toBeUndefined();
    expect(log).toEqual(["p2#1 connect", "p2#1 init", "p2#1 disconnect"]);
  });
});

describe("batchAction", () => {
  it("reads a batch fetched at or before the next offset to count (what lies below it is skipped)", () => {
    expect(batchAction(100n, 100n)).toBe("read");
    expect(batchAction(100n, 40n)).toBe("read");
  });

  it("goes back whenever the fetch started past it, however often the consumer was sent back before", () => {
    expect(batchAction(100n, 150n)).toBe("seek");
    expect(batchAction(100n, 101n)).toBe("seek");
  });
});
