import { type Admin, AssignerProtocol } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { type Bounded, BoundedCall } from "./bounded-call.ts";

/** A member of the group as Kafka describes it: the client id its consumer gave, and the host it came from. */
export interface GroupMember {
  clientId: string;
  host: string;
}

export interface PartitionLag {
  partition: number;
  /** High watermark; null when the broker did not answer in time. */
  end: bigint | null;
  /** Next offset the group will read: its committed offset, or the run's start offset before any commit. */
  position: bigint | null;
  /** end − position; null when either is unknown, with the reason in `unknown`. */
  lag: number | null;
  /** Whether a live member owns the partition; undefined when the group could not be described. */
  owned: boolean | undefined;
  /** The member that owns it, as Kafka's group coordinator sees it. */
  owner?: GroupMember;
  unknown?: string;
}

/** Bounds each admin call well inside the sampler's second, so one hung broker cannot freeze it. */
export const PROBE_CALL_TIMEOUT_MS = 800;

/**
 * Consumer lag through the admin API, per partition: high watermark minus committed offset, as
 * kafka-consumer-groups and Burrow see it, plus which partitions a live member owns. Its three calls
 * (watermarks, committed offsets, group members) are each bounded in time and judged apart, so that
 * while a broker is down the sample says what it could not read instead of hanging. kafkajs's public
 * admin lists the watermarks of a whole topic at once, so one partition led by a dead broker makes all
 * of them unknown until its leader moves.
 */
export class LagProbe {
  private readonly admin: Admin;
  private readonly ends: BoundedCall<{ partition: number; high: string }[]>;
  private readonly committed: BoundedCall<{ partition: number; offset: string }[]>;
  private readonly owners: BoundedCall<Map<number, GroupMember>>;

  constructor(
    connection: KafkaConnection,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly startOffsets: Map<number, bigint>,
    timeoutMs = PROBE_CALL_TIMEOUT_MS,
  ) {
    this.admin = createKafka(connection, "lab-lag-probe").admin();
    this.ends = new BoundedCall("the high watermarks", () => this.admin.fetchTopicOffsets(topic), timeoutMs);
    this.committed = new BoundedCall(
      "the group's committed offsets",
      async () => (await this.admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [],
      timeoutMs,
    );
    this.owners = new BoundedCall("the group's members", () => this.ownedPartitions(), timeoutMs);
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  async sample(): Promise<PartitionLag[]> {
    const [ends, committed, owners] = await Promise.all([
      this.ends.run(),
      this.committed.run(),
      this.owners.run(),
    ]);
    return combineLag([...this.startOffsets.keys()], this.startOffsets, ends, committed, owners);
  }

  private async ownedPartitions(): Promise<Map<number, GroupMember>> {
    const groups = await this.admin.describeGroups([this.groupId]);
    const owned = new Map<number, GroupMember>();
    for (const member of groups.groups[0]?.members ?? []) {
      if (member.memberAssignment.length === 0) continue;
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const { clientId, clientHost: host } = member;
      for (const partition of assignment?.assignment[this.topic] ?? [])
        owned.set(partition, { clientId, host });
    }
    return owned;
  }
}

/** Puts the three answers together per partition; what one of them could not say stays unknown. */
export function combineLag(
  partitions: number[],
  startOffsets: Map<number, bigint>,
  ends: Bounded<{ partition: number; high: string }[]>,
  committed: Bounded<{ partition: number; offset: string }[]>,
  owners: Bounded<ReadonlyMap<number, GroupMember>>,
): PartitionLag[] {
  const endBy = ends.ok ? new Map(ends.value.map((e) => [e.partition, BigInt(e.high)])) : undefined;
  const commitBy = committed.ok
    ? new Map(committed.value.map((c) => [c.partition, BigInt(c.offset)]))
    : undefined;
  return [...partitions]
    .sort((a, b) => a - b)
    .map((partition) => {
      const end = endBy?.get(partition) ?? null;
      const commit = commitBy?.get(partition);
      const position =
        commitBy === undefined
          ? null
          : commit !== undefined && commit >= 0n
            ? commit
            : (startOffsets.get(partition) ?? 0n);
      const owned = owners.ok ? owners.value.has(partition) : undefined;
      const owner = owners.ok ? owners.value.get(partition) : undefined;
      const reasons = [
        ...(ends.ok ? (end === null ? ["the broker gave no high watermark"] : []) : [ends.reason]),
        ...(committed.ok ? [] : [committed.reason]),
      ];
      if (end === null || position === null) {
        return {
          partition,
          end,
          position,
          lag: null,
          owned,
          ...(owner ? { owner } : {}),
          unknown: reasons.join("; "),
        };
      }
      return {
        partition,
        end,
        position,
        lag: end > position ? Number(end - position) : 0,
        owned,
        ...(owner ? { owner } : {}),
      };
    });
}
