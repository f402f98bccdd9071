/**
 * The seam between the load driver and a Kafka producer library. The driver puts every record on its
 * partition itself, so that each acknowledgement maps to an offset; a producer only has to say, per
 * partition and in the order the records were given, which ones landed at which offsets and which failed.
 */
export const CLIENT_NAMES = ["kafkajs", "librdkafka"] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer;
  partition: number;
  /** Epoch ms, the record's Kafka timestamp. */
  timestampMs: number;
}

/** `count` records in a row of one partition: at consecutive offsets from `baseOffset`, or all failed. */
export type DeliverySegment = { count: number; baseOffset: string } | { count: number; error: Error };

export interface PartitionDelivery {
  partition: number;
  /** In the order the partition's records were given; their counts add up to the records sent there. */
  segments: DeliverySegment[];
}

export interface RecordProducer {
  readonly client: ClientName;
  /** How many send() calls, and records in them, to have outstanding at once with this client. */
  readonly inFlight: { calls: number; records: number };
  /**
   * Resolves once every record has an outcome, acks from all in-sync replicas. Rejects only when the whole
   * call failed with no outcome per record (their records may or may not have landed).
   */
  send(records: readonly OutgoingRecord[]): Promise<PartitionDelivery[]>;
  /** Waits for what is outstanding, then disconnects. */
  close(): Promise<void>;
}

/** The partitions of a topic as the driver needs them to choose one per record. */
export interface PartitionLeader {
  partitionId: number;
  /** -1 when the partition has no leader right now. */
  leader: number;
}
