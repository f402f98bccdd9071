/**
 * Lag in seconds as kafka-lag-exporter reports it: the age of the oldest event the group has not yet
 * committed, i.e. of the record at its committed offset. Its time comes from the driver's due time when the
 * lab sent it and remembers it, else from the broker's record timestamp; when neither is known the figure
 * is unknown, never 0: a lag of 40,000 offsets read as 0.0 s would say "fine" about what was not measured.
 */
export type LagSecondsReading =
  | { seconds: number; source: "none waiting" | "due time" | "record timestamp" }
  | { seconds: null; reason: string };

export interface OldestUnconsumed {
  lagOffsets: number;
  /** When the driver meant to send the record at the committed offset (epoch ms), if it knows. */
  dueTimeMs: number | undefined;
  /** The broker's timestamp of that record (epoch ms), or why it could not be read. */
  recordTimestampMs: number | { unknown: string };
}

export function lagSecondsOf(nowMs: number, oldest: OldestUnconsumed): LagSecondsReading {
  if (oldest.lagOffsets <= 0) return { seconds: 0, source: "none waiting" };
  if (oldest.dueTimeMs !== undefined) {
    return { seconds: Math.max(0, nowMs - oldest.dueTimeMs) / 1_000, source: "due time" };
  }
  if (typeof oldest.recordTimestampMs === "number") {
    return { seconds: Math.max(0, nowMs - oldest.recordTimestampMs) / 1_000, source: "record timestamp" };
  }
  return {
    seconds: null,
    reason: `no due time for the oldest unconsumed event, and its record timestamp is unknown: ${oldest.recordTimestampMs.unknown}`,
  };
}

/**
 * The group's lag in seconds: the oldest over its partitions. Unknown when any partition with a backlog is
 * unknown, since that partition may hold the oldest event.
 */
export function groupLagSeconds(
  readings: { partition: number; reading: LagSecondsReading }[],
): { seconds: number } | { seconds: null; reason: string } {
  let oldest = 0;
  for (const { partition, reading } of readings) {
    if (reading.seconds === null)
      return { seconds: null, reason: `partition ${partition}: ${reading.reason}` };
    oldest = Math.max(oldest, reading.seconds);
  }
  return { seconds: oldest };
}
