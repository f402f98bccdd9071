import { spawnSync } from "node:child_process";
import { LabError } from "../../core/errors.ts";
import { SCRAM_MECHANISMS } from "./kafka-config.ts";
import type { KafkaDistribution } from "./provision.ts";

/**
 * Adds a SCRAM-SHA-256 and SCRAM-SHA-512 user through a running broker (Kafka keeps SCRAM credentials
 * in ZooKeeper or the KRaft metadata, not in a file), with Kafka's own ConfigCommand.
 */
export function addScramUser(
  dist: KafkaDistribution,
  bootstrap: string,
  user: { name: string; password: string },
): void {
  const result = spawnSync(
    dist.javaBin,
    [
      "-Xmx256m",
      "-cp",
      `${dist.libDir}/*`,
      "kafka.admin.ConfigCommand",
      "--bootstrap-server",
      bootstrap,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      user.name,
      "--add-config",
      SCRAM_MECHANISMS.map((m) => `${m}=[password=${user.password}]`).join(","),
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (result.status !== 0) {
    throw new LabError(
      "STARTUP",
      `adding the SCRAM user ${user.name} failed:\n${result.stdout}${result.stderr}`,
    );
  }
}
