/**
 * What this member knows of its place in the consumer group. kafkajs heartbeats only between batches, so
 * a member that was frozen (SIGSTOP, a long GC, a hung broker call) learns it was evicted only at its next
 * heartbeat; until then it must not commit, nor claim a partition, or it would fence the member that owns
 * the partition now. It may commit while it is joined, not rebalancing, and heard from the coordinator
 * recently enough that it cannot have been evicted yet.
 */
export class GroupMembership {
  private joined = false;
  private rebalancing = false;
  private lastContactMs = Number.NEGATIVE_INFINITY;

  /** `freshForMs`: how long after the coordinator last answered this member still counts as a member. */
  constructor(private readonly freshForMs: number) {}

  onJoin(nowMs: number): void {
    this.joined = true;
    this.rebalancing = false;
    this.lastContactMs = nowMs;
  }

  onHeartbeat(nowMs: number): void {
    this.lastContactMs = Math.max(this.lastContactMs, nowMs);
  }

  onRebalancing(): void {
    this.rebalancing = true;
  }

  onLeave(): void {
    this.joined = false;
  }

  mayCommit(nowMs: number): boolean {
    return this.joined && !this.rebalancing && nowMs - this.lastContactMs < this.freshForMs;
  }
}
