import type { KafkaDistribution } from "../infra/local/provision.ts";
import type { StartedStack } from "../infra/types.ts";

/** What the producer and aggregator benches share: one broker, Kafka's jars for its tools, a log folder. */
export interface BenchContext {
  stack: StartedStack;
  dist: KafkaDistribution;
  logDir: string;
  log: (line: string) => void;
}
