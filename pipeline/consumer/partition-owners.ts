import type { TransactionalProducer } from "./kafkajs-transactions.ts";

export interface OwnedProducer extends TransactionalProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface OwnersDeps {
  /** A new producer object with the partition's transactional id. */
  createProducer(partition: number): OwnedProducer;
  /**
   * The group's committed offset for the partition (where reading starts when it has none), read with
   * `require_stable`: "pending" while a transaction's offsets for it are neither committed nor aborted.
   */
  committedOffset(partition: number): Promise<bigint | "pending">;
  /** Waits between two reads of a pending committed offset. */
  sleep?: (ms: number) => Promise<void>;
}

/** The transaction timeout of each partition's producer: the coordinator aborts a transaction open longer. */
export const TRANSACTION_TIMEOUT_MS = 60_000;
/**
 * How long a claim waits for a pending committed offset: no transaction stays open past its timeout.
 * Reads back off from the first wait to the last.
 */
export const PENDING_LIMIT_MS = TRANSACTION_TIMEOUT_MS;
const FIRST_WAIT_MS = 50;
const LAST_WAIT_MS = 1_000;

/** This member's claim on one input partition: its producer and the offset counting resumes from. */
export interface Claim {
  producer: OwnedProducer;
  /** Records below it were counted by a committed transaction. */
  committed: bigint;
  /**
   * The next offset to count: `committed` at first, then the one after the last record counted. Whatever
   * the consumer fetches from elsewhere is not counted (see `batchAction`).
   */
  next: bigint;
}

/**
 * What to do with a batch, given the offset its fetch started at. From past the next offset to count, the
 * records in between would be lost: go back to it. kafkajs can hand over such a batch after a seek, fetched
 * before the seek took effect, by one of its fetchers (one per broker: two while a partition's leader moves);
 * counting that one lost the records before it in a rolling restart (issue 16). From at or before it, read,
 * counting only the records from `next` on (those below were counted already, by this claim or before it).
 * The fetch offset rather than the first record's: a fetch at `next` may find its first record later
 * (compaction, transaction markers), and nothing lies between.
 */
export function batchAction(next: bigint, fetchedOffset: bigint): "seek" | "read" {
  return fetchedOffset > next ? "seek" : "read";
}

/**
 * The fencing that replaces KIP-447 under kafkajs: one transactional producer per input partition, with
 * an id derived from group, topic and partition. A claim always builds a *new* producer object, because
 * kafkajs initialises a producer id once per object: only a fresh object's first transaction sends
 * InitProducerId, which bumps the epoch, fences whoever held the id before (a zombie, or this member's
 * own earlier producer) and waits out its open transaction. The committed offset is read after that, once
 * stable, so it includes anything the previous owner committed.
 */
export class PartitionOwners {
  private readonly claims = new Map<number, Claim>();

  constructor(private readonly deps: OwnersDeps) {}

  get(partition: number): Claim | undefined {
    return this.claims.get(partition);
  }

  async claim(partition: number): Promise<Claim> {
    await this.release(partition);
    const producer = this.deps.createProducer(partition);
    try {
      await producer.connect();
      const txn = await producer.transaction();
      await txn.abort();
      const committed = await this.stableCommittedOffset(partition);
      const claim = { producer, committed, next: committed };
      this.claims.set(partition, claim);
      return claim;
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    }
  }

  /**
   * The committed offset once no transaction holds it pending. InitProducerId has completed the previous
   * owner's transaction, but the group coordinator moves that transaction's offsets from pending to
   * committed on its own schedule, and an OffsetFetch without `require_stable` (KIP-447) answers with the
   * offset from before the transaction meanwhile: its window is then counted twice. Chaos seed 5 on kafkajs
   * did that after an aggregator left the group during a rolling restart: the next owner read offset 0 twice,
   * a second apart, and counted 0–4926 again (issue 16). kafkajs 2.2.4 speaks OffsetFetch up to v4; the
   * project's patch adds v7 and `requireStable` (patches/kafkajs+2.2.4.patch).
   */
  private async stableCommittedOffset(partition: number): Promise<bigint> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let waited = 0;
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(LAST_WAIT_MS, wait * 2)) {
      const committed = await this.deps.committedOffset(partition);
      if (committed !== "pending") return committed;
      if (waited >= PENDING_LIMIT_MS)
        throw new Error(
          `the committed offset of partition ${partition} was still pending after ${PENDING_LIMIT_MS / 1000} s (a transaction neither committed nor aborted)`,
        );
      await sleep(wait);
      waited += wait;
    }
  }

  /** Drops the partition's producer: after a failed transaction, or when the partition is gone. */
  async release(partition: number): Promise<void> {
    const claim = this.claims.get(partition);
    if (!claim) return;
    this.claims.delete(partition);
    await claim.producer.disconnect().catch(() => {});
  }

  /** A new group generation: no producer is kept, so each partition is claimed (and fenced) again. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.claims.keys()].map((partition) => this.release(partition)));
  }

  partitions(): number[] {
    return [...this.claims.keys()];
  }
}
