import { TopicPartitionsError, type TopicSpec } from "../topics.ts";
import { ConsumerConfigError } from "./args.ts";

/**
 * What went wrong while making sure the topics exist, as the topic and the command that fixes it. The
 * cluster was reachable by then, so "cannot reach Kafka" would be the wrong lead.
 */
export function topicProblem(error: unknown, specs: readonly TopicSpec[], brokers: string[]): unknown {
  const create = (spec: TopicSpec) =>
    `kafka-topics.sh --bootstrap-server ${brokers.join(",")} --create --topic ${spec.topic} ` +
    `--partitions ${spec.partitions} --replication-factor ${spec.replicationFactor}`;
  if (error instanceof TopicPartitionsError) {
    const spec = specs.find((s) => s.topic === error.topic);
    if (error.existing === 0)
      return new ConsumerConfigError(
        `topic ${error.topic} is missing on ${brokers.join(",")}, and the aggregator could not create it`,
        spec ? `create it: ${create(spec)}` : `create topic ${error.topic}`,
      );
    return new ConsumerConfigError(
      `topic ${error.topic} has ${error.existing} partition(s) but --partitions asks for ${error.wanted}`,
      `run with --partitions ${error.existing}, add partitions with kafka-topics.sh --alter, or name another topic`,
    );
  }
  const said = error instanceof Error ? error.message : String(error);
  if (/authoriz/i.test(said))
    return new ConsumerConfigError(
      `this user may not create or describe the topics ${specs.map((s) => s.topic).join(", ")}: ${said}`,
      `create them as an administrator (${specs.map(create).join("; ")}), or grant the user the right`,
    );
  return error;
}
