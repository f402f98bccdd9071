import { type Admin, AssignerProtocol } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";

export interface PartitionLag {
  partition: number;
  end: bigint;
  /** Next offset the group will read: its committed offset, or the run's start offset before any commit. */
  position: bigint;
  lag: number;
  owned: boolean;
}

/**
 * Consumer lag through the admin API, per partition: high watermark minus committed offset, as
 * kafka-consumer-groups and Burrow see it, plus which partitions a live member owns.
 */
export class LagProbe {
  private readonly admin: Admin;

  constructor(
    connection: KafkaConnection,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly startOffsets: Map<number, bigint>,
  ) {
    this.admin = createKafka(connection, "lab-lag-probe").admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  async sample(): Promise<PartitionLag[]> {
    const [ends, committed, groups] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
      this.admin.describeGroups([this.groupId]),
    ]);
    const owned = new Set<number>();
    for (const member of groups.groups[0]?.members ?? []) {
      if (member.memberAssignment.length === 0) continue;
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const partition of assignment?.assignment[this.topic] ?? []) owned.add(partition);
    }
    const committedBy = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
    return ends
      .map((end) => {
        const high = BigInt(end.high);
        const commit = committedBy.get(end.partition) ?? -1n;
        const position = commit >= 0n ? commit : (this.startOffsets.get(end.partition) ?? 0n);
        const lag = high > position ? Number(high - position) : 0;
        return { partition: end.partition, end: high, position, lag, owned: owned.has(end.partition) };
      })
      .sort((a, b) => a.partition - b.partition);
  }
}
