import { readFileSync } from "node:fs";
import type { Kafka } from "kafkajs";
import { createKafka, type KafkaConnection } from "../../../pipeline/kafka/client.ts";
import type { ClientName } from "../../../pipeline/kafka/record-producer.ts";
import { LabError } from "../../core/errors.ts";

/** FindCoordinator's key types (Kafka protocol): a consumer group, or a transactional id. */
const KEY_TYPES = { group: 0, transaction: 1 } as const;
export type CoordinatorKind = keyof typeof KEY_TYPES;

/** The part of kafkajs's (private) Cluster this uses. */
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  findGroupCoordinatorMetadata(args: {
    groupId: string;
    coordinatorType: number;
  }): Promise<{ coordinator: { nodeId: number } }>;
}

/**
 * The broker that coordinates `key` right now, as a FindCoordinator request answers. kafkajs's admin does
 * not expose FindCoordinator; its Cluster does (the consumer and the transactional producer use it), behind
 * a private symbol of the Kafka object. A kafkajs upgrade that moves it fails here loudly, not silently.
 */
export async function findCoordinator(
  connection: KafkaConnection,
  kind: CoordinatorKind,
  key: string,
): Promise<number> {
  const cluster = kafkajsCluster(createKafka(connection, `lab-find-coordinator-${kind}`));
  try {
    await cluster.connect();
    await cluster.refreshMetadata(); // fills the broker pool FindCoordinator is sent from
    const { coordinator } = await cluster.findGroupCoordinatorMetadata({
      groupId: key,
      coordinatorType: KEY_TYPES[kind],
    });
    return coordinator.nodeId;
  } finally {
    await cluster.disconnect().catch(() => {});
  }
}

function kafkajsCluster(kafka: Kafka): KafkajsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === "private:Kafka:createCluster",
  );
  const create = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof create !== "function")
    throw new LabError("INTERNAL", "this kafkajs has no Cluster to ask FindCoordinator of", {
      hint: "the lab was written against kafkajs 2.2.4: check harness/infra/aggregators/coordinator.ts against the installed one",
    });
  return create({}) as KafkajsCluster;
}

/** Who the aggregators are, as far as their coordinators go. */
export interface AggregatorKeys {
  groupId: string;
  inputTopic: string;
  /** The pipeline's aggregator's client; undefined for an aggregator of one's own (`--consumer-command`). */
  client: ClientName | undefined;
  /** Each aggregator's log file, by consumer index. */
  logFiles: string[];
}

/**
 * The transactional id whose coordinator `coordinator:transaction` hits: on kafkajs the one committing input
 * partition 0 (`<group>-<topic>-0`, pipeline/consumer/kafkajs-aggregator.ts); on librdkafka, where each process has
 * its own, the one consumer 0 logged when it started (`transactional id …`).
 */
export function aggregatorTransactionalId(keys: AggregatorKeys): string {
  if (keys.client === "kafkajs") return `${keys.groupId}-${keys.inputTopic}-0`;
  if (keys.client === "librdkafka") {
    const file = keys.logFiles[0];
    const logged = file
      ? [...readFileSync(file, "utf8").matchAll(/transactional id ([^\s:]+)/g)].at(-1)
      : undefined;
    if (logged?.[1]) return logged[1];
    throw new LabError("KAFKA", "consumer 0 has not logged its transactional id yet", {
      hint: "a coordinator:transaction fault needs consumer 0 to have started; schedule it later",
    });
  }
  throw new LabError("USAGE", "the lab does not know the transactional ids of an aggregator of your own", {
    hint: "target its transaction coordinator's broker as broker:<id>, or run the pipeline's aggregator",
  });
}
