/**
 * The containers of the testcontainers provider as plain data: the same services and settings as
 * docker-compose.yml, for 1 or 3 brokers and ZooKeeper or KRaft. Pure, so every setting is unit-tested
 * without a Docker engine; generic-container.ts maps a spec onto testcontainers' builder.
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IMAGES } from "../../../infra/images.ts";
import { COMPOSE_RULES_DIR } from "../../../infra/prometheus/compose-config.ts";
import { renderPrometheusConfig } from "../../../infra/prometheus/config.ts";
import { RULE_FILE_NAMES, RULES_DIR } from "../../../infra/prometheus/rules.ts";
import { labBrokerSettings } from "../local/kafka-config.ts";
import { JMX_EXPORTER_VERSION } from "../versions.ts";

export type WaitSpec =
  | { kind: "log"; pattern: RegExp }
  | { kind: "http"; path: string; port: number }
  | { kind: "command"; command: string }
  /** The container runs to completion; exit code 0 is success. */
  | { kind: "one-shot" };

/** A repo file (`source`, absolute) or generated text (`content`), copied before the container starts. */
export type CopySpec = { source: string; target: string } | { content: string; target: string };

/** An artifact made at start-up (not in the repo), unpacked into `target` after the copies above. */
export interface ArchiveSpec {
  artifact: "jmx-agent";
  target: string;
}

/** A container port published on a random host port, or on a fixed one. */
export type PortSpec = number | { container: number; host: number };

export interface ContainerSpec {
  name: string;
  image: string;
  networkAliases: string[];
  env: Record<string, string>;
  command: string[];
  exposedPorts: PortSpec[];
  copyFiles: CopySpec[];
  archives: ArchiveSpec[];
  wait: WaitSpec;
  startupTimeoutMs: number;
}

export interface StackLayout {
  brokers: 1 | 3;
  kraft: boolean;
  prometheus: boolean;
  /** The host name clients outside Docker reach published ports on (the container runtime's host). */
  advertisedHost: string;
  /**
   * The host port each broker's external listener is published on, in broker order. Fixed, so the
   * advertised address is known before start and survives a restart (a random mapping may change).
   */
  brokerHostPorts: number[];
  /** KRaft only; every node of a cluster formats its storage with it. */
  clusterId: string;
}

/** Container-side ports, as in docker-compose.yml. */
export const PORTS = {
  zookeeper: 2181,
  internal: 9092,
  controller: 9093,
  external: 29092,
  jmxExporter: 9404,
  prometheus: 9090,
  grafana: 3000,
} as const;

export const ZOOKEEPER_ALIAS = "zookeeper";
export const PROMETHEUS_ALIAS = "prometheus";
export const GRAFANA_ALIAS = "grafana";
export const brokerAlias = (id: number): string => `kafka-${id}`;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

const JMX_DIR = "/opt/jmx";
const MAVEN_AGENT_DIR = `${JMX_DIR}/agent`;
export const JMX_AGENT_JAR = `${MAVEN_AGENT_DIR}/jmx_prometheus_javaagent.jar`;
export const JMX_RULES_TARGET = `${JMX_DIR}/rules/kafka-broker.yml`;
const JMX_RULES_SOURCE = join(REPO_ROOT, "infra/jmx-exporter/kafka-broker.yml");

export const PROMETHEUS_CONFIG_TARGET = "/etc/prometheus/prometheus.yml";
const GRAFANA_PROVISIONING = join(REPO_ROOT, "infra/grafana/provisioning");
const GRAFANA_DASHBOARDS = join(REPO_ROOT, "infra/grafana/dashboards");
/** dashboards.yml points its file provider here. */
export const GRAFANA_DASHBOARDS_DIR = "/var/lib/grafana/dashboards";

/** Written by Kafka once a broker serves requests, in ZooKeeper (KafkaServer) and KRaft (KafkaRaftServer) mode. */
export const BROKER_STARTED = /started \(kafka\.server\.Kafka(Raft)?Server\)/;

/**
 * Confluent images turn KAFKA_FOO_BAR into foo.bar; a `_` in a property name is written `___` and a `-`
 * as `__`.
 */
export function kafkaEnv(settings: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      `KAFKA_${key.replace(/_/g, "___").replace(/-/g, "__").replace(/\./g, "_").toUpperCase()}`,
      String(value),
    ]),
  );
}

/** The one-shot container that fetches the pinned JMX exporter agent from Maven Central. */
export function jmxAgentFetcherSpec(): ContainerSpec {
  return {
    name: "jmx-agent",
    image: IMAGES.maven,
    networkAliases: [],
    env: {},
    command: [
      "mvn",
      "-B",
      "-q",
      "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`,
      `-DoutputDirectory=${MAVEN_AGENT_DIR}`,
      "-Dmdep.stripVersion=true",
    ],
    exposedPorts: [],
    copyFiles: [],
    archives: [],
    wait: { kind: "one-shot" },
    startupTimeoutMs: 300_000,
  };
}

/**
 * The fetcher's output folder. Its archive holds `agent/<jar>`; unpacked into JMX_DIR of a broker it lands
 * at JMX_AGENT_JAR. (Docker unpacks only into a folder that exists: the rules file copied before creates it.)
 */
export const JMX_AGENT_FOLDER = MAVEN_AGENT_DIR;

function zookeeperSpec(): ContainerSpec {
  return {
    name: "zookeeper",
    image: IMAGES.zookeeper,
    networkAliases: [ZOOKEEPER_ALIAS],
    env: {
      ZOOKEEPER_CLIENT_PORT: String(PORTS.zookeeper),
      ZOOKEEPER_TICK_TIME: "2000",
      KAFKA_OPTS: "-Dzookeeper.4lw.commands.whitelist=srvr",
    },
    command: [],
    exposedPorts: [],
    copyFiles: [],
    archives: [],
    // docker-compose.yml's health check: ZooKeeper answers `srvr` with its mode once it serves.
    wait: {
      kind: "command",
      command: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PORTS.zookeeper} && echo srvr >&3 && grep -q Mode <&3'`,
    },
    startupTimeoutMs: 120_000,
  };
}

function brokerSpec(layout: StackLayout, index: number): ContainerSpec {
  const id = index + 1;
  const hostPort = layout.brokerHostPorts[index];
  if (hostPort === undefined) throw new RangeError(`no host port for broker ${id}`);
  const alias = brokerAlias(id);
  const listeners = [`PLAINTEXT://0.0.0.0:${PORTS.internal}`, `PLAINTEXT_HOST://0.0.0.0:${PORTS.external}`];
  const protocols = ["PLAINTEXT:PLAINTEXT", "PLAINTEXT_HOST:PLAINTEXT"];
  const common = {
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${alias}:${PORTS.internal},PLAINTEXT_HOST://${layout.advertisedHost}:${hostPort}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
    KAFKA_HEAP_OPTS: "-Xms768m -Xmx768m",
    // EXTRA_ARGS reaches only the broker's JVM; in KAFKA_OPTS every Kafka tool run in the container would
    // start a second agent and die on the bind.
    EXTRA_ARGS: `-javaagent:${JMX_AGENT_JAR}=${PORTS.jmxExporter}:${JMX_RULES_TARGET}`,
    ...kafkaEnv(labBrokerSettings(layout.brokers)),
  };
  const mode: Record<string, string> = layout.kraft
    ? {
        CLUSTER_ID: layout.clusterId,
        KAFKA_NODE_ID: String(id),
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS: Array.from(
          { length: layout.brokers },
          (_, i) => `${i + 1}@${brokerAlias(i + 1)}:${PORTS.controller}`,
        ).join(","),
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENERS: [...listeners, `CONTROLLER://0.0.0.0:${PORTS.controller}`].join(","),
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: [...protocols, "CONTROLLER:PLAINTEXT"].join(","),
      }
    : {
        KAFKA_BROKER_ID: String(id),
        KAFKA_ZOOKEEPER_CONNECT: `${ZOOKEEPER_ALIAS}:${PORTS.zookeeper}`,
        KAFKA_LISTENERS: listeners.join(","),
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: protocols.join(","),
      };
  return {
    name: `broker-${id}`,
    image: IMAGES.kafka,
    networkAliases: [alias],
    env: { ...mode, ...common },
    command: [],
    exposedPorts: [{ container: PORTS.external, host: hostPort }],
    copyFiles: [{ source: JMX_RULES_SOURCE, target: JMX_RULES_TARGET }],
    archives: [{ artifact: "jmx-agent", target: JMX_DIR }],
    wait: { kind: "log", pattern: BROKER_STARTED },
    startupTimeoutMs: 180_000,
  };
}

export interface ExtraScrapeTargets {
  consumer: string[];
  lab: string[];
}

/** prometheus.yml as the Prometheus container sees it: brokers by alias, rules where the spec copies them. */
export function prometheusConfig(brokerCount: number, extra: ExtraScrapeTargets): string {
  return renderPrometheusConfig({
    scrapeIntervalSeconds: 1,
    kafkaTargets: Array.from({ length: brokerCount }, (_, i) => ({
      brokerId: i + 1,
      address: `${brokerAlias(i + 1)}:${PORTS.jmxExporter}`,
    })),
    consumerTargets: extra.consumer,
    labTargets: extra.lab,
    ruleFiles: RULE_FILE_NAMES.map((name) => `${COMPOSE_RULES_DIR}/${name}`),
  });
}

function prometheusSpec(brokerCount: number): ContainerSpec {
  return {
    name: "prometheus",
    image: IMAGES.prometheus,
    networkAliases: [PROMETHEUS_ALIAS],
    env: {},
    command: [
      `--config.file=${PROMETHEUS_CONFIG_TARGET}`,
      "--storage.tsdb.path=/prometheus",
      // registerScrapeTarget rewrites the config and POSTs /-/reload.
      "--web.enable-lifecycle",
    ],
    exposedPorts: [PORTS.prometheus],
    copyFiles: [
      { content: prometheusConfig(brokerCount, { consumer: [], lab: [] }), target: PROMETHEUS_CONFIG_TARGET },
      ...RULE_FILE_NAMES.map((name) => ({
        source: join(RULES_DIR, name),
        target: `${COMPOSE_RULES_DIR}/${name}`,
      })),
    ],
    archives: [],
    wait: { kind: "http", path: "/-/ready", port: PORTS.prometheus },
    startupTimeoutMs: 60_000,
  };
}

function grafanaSpec(): ContainerSpec {
  const provisioning = ["datasources", "dashboards"].flatMap((kind) =>
    readdirSync(join(GRAFANA_PROVISIONING, kind)).map((file) => ({
      source: join(GRAFANA_PROVISIONING, kind, file),
      target: `/etc/grafana/provisioning/${kind}/${file}`,
    })),
  );
  const dashboards = readdirSync(GRAFANA_DASHBOARDS).map((file) => ({
    source: join(GRAFANA_DASHBOARDS, file),
    target: `${GRAFANA_DASHBOARDS_DIR}/${file}`,
  }));
  return {
    name: "grafana",
    image: IMAGES.grafana,
    networkAliases: [GRAFANA_ALIAS],
    env: {
      PROMETHEUS_URL: `http://${PROMETHEUS_ALIAS}:${PORTS.prometheus}`,
      GF_AUTH_ANONYMOUS_ENABLED: "true",
      GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${GRAFANA_DASHBOARDS_DIR}/fetch-dashboard.json`,
    },
    command: [],
    exposedPorts: [PORTS.grafana],
    copyFiles: [...provisioning, ...dashboards],
    archives: [],
    wait: { kind: "http", path: "/api/health", port: PORTS.grafana },
    startupTimeoutMs: 120_000,
  };
}

export interface StackSpecs {
  zookeeper: ContainerSpec | undefined;
  brokers: ContainerSpec[];
  prometheus: ContainerSpec | undefined;
  grafana: ContainerSpec | undefined;
}

/** Every long-running container of a stack; Grafana comes only with Prometheus, which it reads. */
export function containerSpecs(layout: StackLayout): StackSpecs {
  if (layout.brokerHostPorts.length !== layout.brokers) {
    throw new RangeError(
      `${layout.brokers} brokers need as many host ports (got ${layout.brokerHostPorts.length})`,
    );
  }
  return {
    zookeeper: layout.kraft ? undefined : zookeeperSpec(),
    brokers: Array.from({ length: layout.brokers }, (_, i) => brokerSpec(layout, i)),
    prometheus: layout.prometheus ? prometheusSpec(layout.brokers) : undefined,
    grafana: layout.prometheus ? grafanaSpec() : undefined,
  };
}
