import { readFileSync } from "node:fs";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { type ConnectFailure, explainConnectFailure } from "../../pipeline/kafka/connect-errors.ts";
import { EnvironmentError, LabError, UsageError } from "../core/errors.ts";
import { waitFor } from "../core/wait-for.ts";
import type { StackOptions, StartedStack } from "./types.ts";

export interface ExternalOptions {
  brokers: string[];
  sasl?: KafkaConnection["sasl"];
  tls?: { caFile?: string; insecure?: boolean };
  prometheusUrl?: string;
  /** A Grafana that shows this cluster (e.g. `docker compose up`'s); reports link to the run's time range. */
  grafanaUrl?: string;
}

export function externalConnection(options: ExternalOptions): KafkaConnection {
  if (options.brokers.length === 0) {
    throw new UsageError(
      "--provider external needs the cluster's addresses",
      "add --brokers host:port[,host:port…]",
    );
  }
  for (const broker of options.brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new UsageError(
        `--brokers: "${broker}" is not host:port`,
        "give the brokers as host:port[,host:port…], e.g. 127.0.0.1:9092",
      );
    }
  }
  const connection: KafkaConnection = { brokers: options.brokers };
  if (options.tls) {
    let ca: string[] | undefined;
    if (options.tls.caFile) {
      try {
        ca = [readFileSync(options.tls.caFile, "utf8")];
      } catch (error) {
        throw new UsageError(
          `--tls-ca: cannot read ${options.tls.caFile}: ${(error as Error).message}`,
          "give the path of a PEM file",
        );
      }
    }
    connection.ssl = { ...(ca ? { ca } : {}), rejectUnauthorized: !options.tls.insecure };
  }
  if (options.sasl) connection.sasl = options.sasl;
  return connection;
}

/**
 * A cluster the lab did not start. It is only checked for reachability; faults cannot be injected and
 * nothing is deleted on stop (the lab creates its topics when missing and leaves them in place).
 */
export async function connectExternalStack(
  options: ExternalOptions,
  stackOptions: StackOptions,
): Promise<StartedStack> {
  const connection = externalConnection(options);
  const admin = createKafka(connection, "lab-external-check").admin();
  let brokerIds: number[] = [];
  // A wrong password or certificate will not get better by waiting: it ends the wait at once.
  let refused: ConnectFailure | undefined;
  let unreachable: ConnectFailure | undefined;
  try {
    await waitFor(
      async () => {
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          brokerIds = cluster.brokers.map((b) => b.nodeId);
          return true;
        } catch (error) {
          const failure = explainConnectFailure(error, connection);
          if (failure.kind === "unreachable") {
            unreachable = failure;
            throw error;
          }
          refused = failure;
          return true;
        }
      },
      {
        what: `the external cluster at ${connection.brokers.join(",")}`,
        timeoutMs: 30_000,
        signal: stackOptions.signal,
      },
    );
  } catch (error) {
    // The time-out says what was last seen; the fix says where to look (a plaintext client at a SASL port?).
    if (error instanceof LabError && unreachable)
      throw new LabError(error.code, error.message, {
        hint: unreachable.hint,
        cause: error,
        retriable: true,
      });
    throw error;
  } finally {
    await admin.disconnect();
  }
  if (refused) throw new EnvironmentError(refused.message, refused.hint);
  stackOptions.log(
    `connected to an external cluster of ${brokerIds.length} broker${brokerIds.length === 1 ? "" : "s"} at ${connection.brokers.join(",")}`,
  );
  return {
    provider: "external",
    connection: () => connection,
    bootstrapServers: () => connection.brokers,
    brokerIds: () => brokerIds,
    replicationFactor: () => Math.min(3, brokerIds.length),
    prometheusUrl: () => options.prometheusUrl,
    grafanaUrl: () => options.grafanaUrl,
    logFiles: () => ({}),
    registerScrapeTarget: async () => {},
    faults: {
      history: [],
      apply: async () => {
        throw new LabError("USAGE", "faults cannot be injected into an external cluster", {
          hint: "run fault scenarios with --provider local",
        });
      },
    },
    stop: async () => {},
  };
}
