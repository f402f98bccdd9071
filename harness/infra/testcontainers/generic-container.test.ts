import { GenericContainer } from "testcontainers";
import { describe, expect, it } from "vitest";
import { LabError } from "../../core/errors.ts";
import { toGenericContainer } from "./generic-container.ts";
import { type ContainerSpec, containerSpecs, jmxAgentFetcherSpec, type StackLayout } from "./specs.ts";

const layout: StackLayout = {
  brokers: 3,
  kraft: false,
  prometheus: true,
  advertisedHost: "localhost",
  brokerHostPorts: [41001, 41002, 41003],
  clusterId: "MkU3OEVBNTcwNTJENDM2Qg",
};

/** What the builder recorded; GenericContainer keeps it in protected fields read by `start()`. */
interface Built {
  imageName: { string: string };
  environment: Record<string, string>;
  createOpts: { Cmd?: string[] };
  hostConfig: { PortBindings?: Record<string, { HostPort: string }[]> };
  networkAliases: string[];
  filesToCopy: { source: string; target: string }[];
  contentsToCopy: { content: string; target: string }[];
  archivesToCopy: { target: string }[];
  startupTimeoutMs?: number;
}

const built = (container: GenericContainer) => container as unknown as Built;

describe("toGenericContainer", () => {
  const specs = containerSpecs(layout);
  const every = [
    specs.zookeeper,
    ...specs.brokers,
    specs.prometheus,
    specs.grafana,
    jmxAgentFetcherSpec(),
  ].filter((s): s is ContainerSpec => s !== undefined);
  const artifacts = { "jmx-agent": Buffer.from("tar bytes") };

  it("builds every container of the stack without an engine", () => {
    for (const spec of every) {
      expect(toGenericContainer(spec, { artifacts }), spec.name).toBeInstanceOf(GenericContainer);
    }
  });

  it("carries a broker's image, environment, fixed port, alias, copies and archive over", () => {
    const spec = specs.brokers[1] as ContainerSpec;
    const b = built(toGenericContainer(spec, { artifacts }));
    expect(b.imageName.string).toBe(spec.image);
    expect(b.environment).toEqual(spec.env);
    expect(b.hostConfig.PortBindings).toEqual({ "29092/tcp": [{ HostPort: "41002" }] });
    expect(b.networkAliases).toEqual(["kafka-2"]);
    expect(b.filesToCopy).toEqual(spec.copyFiles);
    expect(b.archivesToCopy.map((a) => a.target)).toEqual(["/opt/jmx"]);
    expect(b.startupTimeoutMs).toBe(spec.startupTimeoutMs);
    expect(b.createOpts.Cmd).toBeUndefined();
  });

  it("splits Prometheus' generated config from its repo files and keeps its command", () => {
    const spec = specs.prometheus as ContainerSpec;
    const b = built(toGenericContainer(spec));
    expect(b.contentsToCopy.map((c) => c.target)).toEqual(["/etc/prometheus/prometheus.yml"]);
    expect(b.filesToCopy.map((c) => c.target)).toEqual([
      "/etc/prometheus/rules/recording.yml",
      "/etc/prometheus/rules/alerts.yml",
    ]);
    expect(b.createOpts.Cmd).toEqual(spec.command);
    expect(b.hostConfig.PortBindings).toEqual({ "9090/tcp": [{ HostPort: "0" }] });
  });

  it("fails plainly when a broker's agent archive is missing", () => {
    expect(() => toGenericContainer(specs.brokers[0] as ContainerSpec)).toThrow(LabError);
  });
});
