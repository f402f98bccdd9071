import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { JMX_EXPORTER_VERSION } from "../harness/infra/versions.ts";
import { IMAGES } from "./images.ts";
import {
  COMPOSE_PROMETHEUS_FILE,
  COMPOSE_TARGETS,
  composePrometheusConfig,
} from "./prometheus/compose-config.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  restart?: string;
}

// Merge keys (`<<: *pipeline`) are YAML 1.1, which Docker Compose reads.
const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  "x-images": Record<string, string>;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

describe("docker-compose.yml", () => {
  it("has the seed's services, the pipeline's two and the agent fetcher", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["consumer", "grafana", "jmx-agent", "kafka", "producer", "prometheus", "zookeeper"].sort(),
    );
  });

  it("publishes the documented ports", () => {
    const published = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.ports ?? []]));
    expect(published).toEqual({
      zookeeper: ["2181:2181"],
      "jmx-agent": [],
      kafka: ["29092:29092"],
      producer: [],
      consumer: ["9997:9997"],
      prometheus: ["9090:9090"],
      grafana: ["3000:3000"],
    });
  });

  it("advertises kafka:9092 inside the stack and localhost:29092 outside", () => {
    const env = service("kafka").environment ?? {};
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe("PLAINTEXT://kafka:9092,PLAINTEXT_HOST://localhost:29092");
    expect(service("producer").environment?.KAFKA_BROKERS).toBe("kafka:9092");
    expect(service("consumer").environment?.KAFKA_BROKERS).toBe("kafka:9092");
  });

  it("mounts only host paths that exist in the repo", () => {
    const hostPaths = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(":")[0] as string)
      .filter((source) => source.startsWith("."));
    expect(hostPaths.length).toBeGreaterThan(0);
    expect(hostPaths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it("names only declared volumes", () => {
    const named = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(":")[0] as string)
      .filter((source) => !source.startsWith(".") && !source.startsWith("/"));
    expect(named.filter((v) => !(v in compose.volumes))).toEqual([]);
  });

  it("waits on health checks, or on a one-shot service having finished", () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.depends_on === undefined) continue;
      expect(Array.isArray(s.depends_on), `${name}: depends_on needs conditions`).toBe(false);
      for (const [dependency, { condition }] of Object.entries(s.depends_on)) {
        const target = service(dependency);
        if (condition === "service_completed_successfully") {
          expect(target.restart, `${name} waits for ${dependency} to finish: it must not restart`).toBe("no");
        } else {
          expect(condition, `${name} -> ${dependency}`).toBe("service_healthy");
          expect(target.healthcheck?.test.length, `${dependency} needs a healthcheck`).toBeGreaterThan(0);
        }
      }
    }
  });

  it("pins every image, in one list that infra/images.ts and the Dockerfile repeat", () => {
    expect(compose["x-images"]).toEqual(IMAGES);
    const pinned = Object.values(IMAGES);
    for (const [name, s] of Object.entries(services)) {
      const image = s.image ?? s.build?.args?.NODE_IMAGE;
      expect(pinned, `${name} uses an image outside x-images`).toContain(image);
    }
    for (const image of pinned) expect(image).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/);
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toContain(`ARG NODE_IMAGE=${IMAGES.node}\n`);
  });

  it("fetches the JMX exporter version the local provider runs, and starts the broker with it", () => {
    expect(service("jmx-agent").command).toContain(
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`,
    );
    const agent = String(service("kafka").environment?.EXTRA_ARGS);
    const port = COMPOSE_TARGETS.kafka.split(":")[1];
    expect(agent).toBe(
      `-javaagent:/opt/jmx/agent/jmx_prometheus_javaagent.jar=${port}:/opt/jmx/rules/kafka-broker.yml`,
    );
    expect(service("kafka").volumes).toContain("./infra/jmx-exporter:/opt/jmx/rules:ro");
  });

  it("gives Grafana the Prometheus URL with a default, and the dashboards where the provider looks", () => {
    const env = service("grafana").environment ?? {};
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own interpolation, expanded by docker compose.
    expect(env.PROMETHEUS_URL).toBe("${PROMETHEUS_URL:-http://prometheus:9090}");
    const provider = parse(
      readFileSync(join(ROOT, "infra/grafana/provisioning/dashboards/dashboards.yml"), "utf8"),
    ) as { providers: { options: { path: string } }[] };
    expect(service("grafana").volumes).toContain(
      `./infra/grafana/dashboards:${provider.providers[0]?.options.path}:ro`,
    );
  });
});

describe("Prometheus config of the Docker stack", () => {
  it("is committed as rendered", () => {
    expect(
      readFileSync(COMPOSE_PROMETHEUS_FILE, "utf8"),
      "infra/prometheus/docker.yml is stale: run `npx tsx infra/prometheus/compose-config.ts --write`",
    ).toBe(composePrometheusConfig());
  });

  it("scrapes services and ports that the compose file defines", () => {
    expect(service("consumer").ports).toContain(`${COMPOSE_TARGETS.consumer.split(":")[1]}:9997`);
    expect(service("kafka")).toBeDefined();
    expect(service("prometheus").volumes).toEqual([
      "./infra/prometheus/docker.yml:/etc/prometheus/prometheus.yml:ro",
      "./infra/prometheus/rules:/etc/prometheus/rules:ro",
    ]);
  });
});
