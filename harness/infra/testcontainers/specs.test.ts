import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { IMAGES } from "../../../infra/images.ts";
import { RULE_FILE_NAMES } from "../../../infra/prometheus/rules.ts";
import { JMX_EXPORTER_VERSION } from "../versions.ts";
import {
  BROKER_STARTED,
  brokerAlias,
  type ContainerSpec,
  containerSpecs,
  GRAFANA_DASHBOARDS_DIR,
  JMX_AGENT_FOLDER,
  jmxAgentFetcherSpec,
  kafkaEnv,
  PORTS,
  PROMETHEUS_CONFIG_TARGET,
  prometheusConfig,
  type StackLayout,
} from "./specs.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

function layout(overrides: Partial<StackLayout> = {}): StackLayout {
  const brokers = overrides.brokers ?? 1;
  return {
    brokers,
    kraft: false,
    prometheus: true,
    advertisedHost: "localhost",
    brokerHostPorts: [41001, 41002, 41003].slice(0, brokers),
    clusterId: "MkU3OEVBNTcwNTJENDM2Qg",
    ...overrides,
  };
}

function all(l: StackLayout): ContainerSpec[] {
  const specs = containerSpecs(l);
  return [specs.zookeeper, ...specs.brokers, specs.prometheus, specs.grafana].filter(
    (s): s is ContainerSpec => s !== undefined,
  );
}

const shapes = [
  layout(),
  layout({ brokers: 3 }),
  layout({ kraft: true }),
  layout({ brokers: 3, kraft: true }),
];

function content(spec: ContainerSpec, target: string): string {
  const copy = spec.copyFiles.find((c) => c.target === target);
  if (!copy) throw new Error(`${spec.name} copies nothing to ${target}`);
  return "content" in copy ? copy.content : readFileSync(copy.source, "utf8");
}

describe("containerSpecs", () => {
  it("takes every image from infra/images.ts", () => {
    const pinned: string[] = Object.values(IMAGES);
    for (const spec of [...shapes.flatMap(all), jmxAgentFetcherSpec()]) {
      expect(pinned, spec.name).toContain(spec.image);
    }
    const images = all(layout()).map((s) => s.image);
    expect(images).toEqual([IMAGES.zookeeper, IMAGES.kafka, IMAGES.prometheus, IMAGES.grafana]);
  });

  it("copies only files that exist in the repo, to absolute container paths", () => {
    const copies = shapes.flatMap(all).flatMap((s) => s.copyFiles);
    const sources = copies.flatMap((c) => ("source" in c ? [c.source] : []));
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => !existsSync(source))).toEqual([]);
    expect(sources.every((source) => source.startsWith(ROOT))).toBe(true);
    expect(copies.filter((c) => !posix.isAbsolute(c.target))).toEqual([]);
  });

  it("gives names and network aliases no two containers share", () => {
    for (const l of shapes) {
      const specs = all(l);
      const names = specs.map((s) => s.name);
      const aliases = specs.flatMap((s) => s.networkAliases);
      expect(new Set(names).size, names.join()).toBe(names.length);
      expect(new Set(aliases).size, aliases.join()).toBe(aliases.length);
    }
  });

  it("gives 3 brokers RF 3 and min ISR 2 for topics, offsets and transactions", () => {
    const { brokers } = containerSpecs(layout({ brokers: 3 }));
    expect(brokers).toHaveLength(3);
    for (const broker of brokers) {
      expect(broker.env).toMatchObject({
        KAFKA_DEFAULT_REPLICATION_FACTOR: "3",
        KAFKA_MIN_INSYNC_REPLICAS: "2",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "3",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "3",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "2",
      });
    }
  });

  it("gives 1 broker replication settings of 1", () => {
    const [broker] = containerSpecs(layout()).brokers;
    expect(broker?.env).toMatchObject({
      KAFKA_DEFAULT_REPLICATION_FACTOR: "1",
      KAFKA_MIN_INSYNC_REPLICAS: "1",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
    });
  });

  it("connects ZooKeeper-mode brokers to the ZooKeeper container, each with its own id", () => {
    const specs = containerSpecs(layout({ brokers: 3 }));
    expect(specs.zookeeper?.networkAliases).toEqual(["zookeeper"]);
    expect(specs.brokers.map((b) => b.env.KAFKA_BROKER_ID)).toEqual(["1", "2", "3"]);
    for (const broker of specs.brokers) {
      expect(broker.env.KAFKA_ZOOKEEPER_CONNECT).toBe(`zookeeper:${PORTS.zookeeper}`);
      expect(broker.env.KAFKA_PROCESS_ROLES).toBeUndefined();
    }
  });

  it("runs KRaft without ZooKeeper: every broker a voter of one quorum and cluster id", () => {
    const specs = containerSpecs(layout({ brokers: 3, kraft: true }));
    expect(specs.zookeeper).toBeUndefined();
    const voters = `1@kafka-1:${PORTS.controller},2@kafka-2:${PORTS.controller},3@kafka-3:${PORTS.controller}`;
    for (const [i, broker] of specs.brokers.entries()) {
      expect(broker.env).toMatchObject({
        KAFKA_NODE_ID: String(i + 1),
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        CLUSTER_ID: "MkU3OEVBNTcwNTJENDM2Qg",
      });
      expect(broker.env.KAFKA_LISTENERS).toContain(`CONTROLLER://0.0.0.0:${PORTS.controller}`);
      expect(broker.env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain("CONTROLLER:PLAINTEXT");
      expect(broker.env.KAFKA_ZOOKEEPER_CONNECT).toBeUndefined();
      expect(broker.env.KAFKA_BROKER_ID).toBeUndefined();
    }
  });

  it("advertises each broker by alias inside the network and at its fixed host port outside", () => {
    const { brokers } = containerSpecs(layout({ brokers: 3, advertisedHost: "docker.example" }));
    for (const [i, broker] of brokers.entries()) {
      const hostPort = 41001 + i;
      expect(broker.networkAliases).toEqual([brokerAlias(i + 1)]);
      expect(broker.env.KAFKA_ADVERTISED_LISTENERS).toBe(
        `PLAINTEXT://kafka-${i + 1}:${PORTS.internal},PLAINTEXT_HOST://docker.example:${hostPort}`,
      );
      expect(broker.env.KAFKA_LISTENERS).toContain(`PLAINTEXT_HOST://0.0.0.0:${PORTS.external}`);
      expect(broker.exposedPorts).toEqual([{ container: PORTS.external, host: hostPort }]);
      expect(broker.env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe("PLAINTEXT");
      expect(broker.wait).toEqual({ kind: "log", pattern: BROKER_STARTED });
    }
  });

  it("refuses a layout with a host port missing for a broker", () => {
    expect(() => containerSpecs(layout({ brokers: 3, brokerHostPorts: [41001] }))).toThrow(RangeError);
  });

  it("starts every broker's JVM with the JMX agent, its jar from the fetcher and its rules from the repo", () => {
    for (const broker of shapes.flatMap((l) => containerSpecs(l).brokers)) {
      const agent = /^-javaagent:(\S+)=(\d+):(\S+)$/.exec(broker.env.EXTRA_ARGS ?? "");
      expect(agent, broker.name).not.toBeNull();
      const [, jar, port, rules] = agent as RegExpExecArray;
      expect(Number(port)).toBe(PORTS.jmxExporter);
      expect(broker.env.KAFKA_OPTS).toBeUndefined();
      const rulesCopy = broker.copyFiles.find((c) => c.target === rules);
      expect(rulesCopy && "source" in rulesCopy ? rulesCopy.source : "").toBe(
        join(ROOT, "infra/jmx-exporter/kafka-broker.yml"),
      );
      const [archive] = broker.archives;
      expect(archive?.artifact).toBe("jmx-agent");
      // The fetcher's folder is archived under its own name and unpacked into the archive target.
      expect(
        posix.join(archive?.target ?? "", basename(JMX_AGENT_FOLDER), "jmx_prometheus_javaagent.jar"),
      ).toBe(jar);
      // Docker unpacks only into an existing folder; the rules copy, done first, creates this one.
      expect(rules?.startsWith(`${archive?.target}/`)).toBe(true);
    }
  });

  it("fetches the JMX agent version the local provider runs, into the folder the brokers take it from", () => {
    const fetcher = jmxAgentFetcherSpec();
    expect(fetcher.command).toContain(
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`,
    );
    expect(fetcher.command).toContain(`-DoutputDirectory=${JMX_AGENT_FOLDER}`);
    expect(fetcher.command).toContain("-Dmdep.stripVersion=true");
    expect(fetcher.wait).toEqual({ kind: "one-shot" });
  });

  it("gives Prometheus the rules and a config scraping every broker's exporter", () => {
    for (const l of [layout(), layout({ brokers: 3, kraft: true })]) {
      const prometheus = containerSpecs(l).prometheus as ContainerSpec;
      expect(prometheus.command).toContain(`--config.file=${PROMETHEUS_CONFIG_TARGET}`);
      expect(prometheus.command).toContain("--web.enable-lifecycle");
      const config = parse(content(prometheus, PROMETHEUS_CONFIG_TARGET)) as {
        rule_files: string[];
        scrape_configs: {
          job_name: string;
          static_configs: { targets: string[]; labels?: Record<string, string> }[];
        }[];
      };
      const kafka = config.scrape_configs.find((c) => c.job_name === "kafka");
      expect(kafka?.static_configs).toEqual(
        Array.from({ length: l.brokers }, (_, i) => ({
          targets: [`kafka-${i + 1}:${PORTS.jmxExporter}`],
          labels: { broker_id: String(i + 1) },
        })),
      );
      expect(config.rule_files).toHaveLength(RULE_FILE_NAMES.length);
      for (const ruleFile of config.rule_files) {
        const copy = prometheus.copyFiles.find((c) => c.target === ruleFile);
        expect(copy && "source" in copy ? readFileSync(copy.source, "utf8") : "", ruleFile).toMatch(
          /groups:/,
        );
      }
      expect(prometheus.exposedPorts).toEqual([PORTS.prometheus]);
    }
  });

  it("renders added scrape targets into the consumer and lab jobs", () => {
    const config = parse(
      prometheusConfig(1, { consumer: ["host.testcontainers.internal:9997"], lab: ["10.0.0.5:9464"] }),
    ) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = (job: string) =>
      config.scrape_configs.find((c) => c.job_name === job)?.static_configs[0]?.targets;
    expect(targets("login-consumer")).toEqual(["host.testcontainers.internal:9997"]);
    expect(targets("lab")).toEqual(["10.0.0.5:9464"]);
  });

  it("gives Grafana the provisioning, the fetch dashboard and anonymous viewer access", () => {
    const grafana = containerSpecs(layout()).grafana as ContainerSpec;
    const provisioning = join(ROOT, "infra/grafana/provisioning");
    for (const kind of readdirSync(provisioning)) {
      for (const file of readdirSync(join(provisioning, kind))) {
        expect(grafana.copyFiles).toContainEqual({
          source: join(provisioning, kind, file),
          target: `/etc/grafana/provisioning/${kind}/${file}`,
        });
      }
    }
    const provider = parse(content(grafana, "/etc/grafana/provisioning/dashboards/dashboards.yml")) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]?.options.path).toBe(GRAFANA_DASHBOARDS_DIR);
    const dashboard = JSON.parse(content(grafana, `${GRAFANA_DASHBOARDS_DIR}/fetch-dashboard.json`)) as {
      uid: string;
    };
    expect(dashboard.uid).toBe("fetch");
    expect(grafana.env).toMatchObject({
      PROMETHEUS_URL: `http://prometheus:${PORTS.prometheus}`,
      GF_AUTH_ANONYMOUS_ENABLED: "true",
      GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${GRAFANA_DASHBOARDS_DIR}/fetch-dashboard.json`,
    });
    const datasource = content(grafana, "/etc/grafana/provisioning/datasources/prometheus.yml");
    expect(datasource).toContain("$PROMETHEUS_URL");
  });

  it("leaves Prometheus and Grafana out when Prometheus is not wanted", () => {
    const specs = containerSpecs(layout({ prometheus: false }));
    expect(specs.prometheus).toBeUndefined();
    expect(specs.grafana).toBeUndefined();
    expect(specs.brokers).toHaveLength(1);
  });
});

describe("kafkaEnv", () => {
  it("spells properties as Confluent images read them", () => {
    expect(
      kafkaEnv({
        "min.insync.replicas": 2,
        "log.retention_ms": "1",
        "a-b.c": true,
        "auto.create.topics.enable": false,
      }),
    ).toEqual({
      KAFKA_MIN_INSYNC_REPLICAS: "2",
      KAFKA_LOG_RETENTION___MS: "1",
      KAFKA_A__B_C: "true",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
    });
  });
});

describe("BROKER_STARTED", () => {
  it("matches the start line of a ZooKeeper-mode and of a KRaft broker only", () => {
    expect(
      BROKER_STARTED.test(
        "[2025-01-01 10:00:00,000] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
      ),
    ).toBe(true);
    expect(
      BROKER_STARTED.test(
        "[2025-01-01 10:00:00,000] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)",
      ),
    ).toBe(true);
    expect(BROKER_STARTED.test("INFO [KafkaServer id=1] starting (kafka.server.KafkaServer)")).toBe(false);
  });
});
