import { randomBytes } from "node:crypto";
import {
  type ContainerRuntimeClient,
  Network,
  type StartedNetwork,
  type StartedTestContainer,
  TestContainers,
} from "testcontainers";
import { type Clock, systemClock } from "../../core/clock.ts";
import { LabError } from "../../core/errors.ts";
import { randomClusterId } from "../local/kafka-config.ts";
import { freePorts } from "../local/ports.ts";
import { PrometheusApi } from "../prometheus-api.ts";
import { waitForKafka, waitForPrometheusTargets } from "../readiness.ts";
import type { StackOptions, StartedStack } from "../types.ts";
import { KAFKA_VERSION } from "../versions.ts";
import { ContainerLogs } from "./container-logs.ts";
import { type BrokerControl, containerFaults } from "./faults.ts";
import { toGenericContainer } from "./generic-container.ts";
import { addressFromContainer } from "./host-address.ts";
import { fetchJmxAgentArchive } from "./jmx-agent.ts";
import { requireContainerRuntime } from "./runtime.ts";
import {
  type ContainerSpec,
  containerSpecs,
  type ExtraScrapeTargets,
  PORTS,
  PROMETHEUS_CONFIG_TARGET,
  prometheusConfig,
  type StackSpecs,
} from "./specs.ts";

/** The testcontainers stack also runs Grafana, with the seed's dashboard at /d/fetch. */
export interface StartedTestcontainersStack extends StartedStack {
  readonly provider: "testcontainers";
  grafanaUrl(): string | undefined;
}

const READY_TIMEOUT_MS = 120_000;
/** Grace period of a graceful stop or restart before the engine sends SIGKILL. */
const STOP_GRACE_MS = 30_000;

/** As Promise.all, but settles every promise before failing, so nothing still starts during clean-up. */
async function settleAll<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled<readonly unknown[]>(promises);
  for (const result of results) if (result.status === "rejected") throw result.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

function startFailure(spec: ContainerSpec, error: unknown, logFile: string | undefined): LabError {
  const message = (error as Error).message;
  // A fixed host port picked as free can be taken before the engine binds it.
  const portClash = /port is already allocated|address already in use/i.test(message);
  return new LabError("STARTUP", `container ${spec.name} (${spec.image}) did not start: ${message}`, {
    hint: portClash
      ? "a host port the lab picked was taken before Docker bound it; run again (ports are chosen anew)"
      : logFile
        ? `read its output in ${logFile}`
        : "check `docker info` and that the image can be pulled",
    cause: error,
    retriable: portClash,
  });
}

function brokerControl(
  id: number,
  container: StartedTestContainer,
  client: ContainerRuntimeClient,
  reattachLogs: (since: number) => Promise<void>,
  clock: Clock,
): BrokerControl {
  const docker = client.container.getById(container.getId());
  // The engine refuses to stop or restart a frozen container; a paused broker is thawed first.
  const thaw = async () => {
    const state = await docker.inspect();
    if (state.State.Paused) await docker.unpause();
  };
  return {
    id,
    kill: async () => {
      await thaw();
      await docker.kill({ signal: "SIGKILL" });
      await docker.wait();
    },
    stop: async () => {
      await thaw();
      await client.container.stop(docker, { timeout: STOP_GRACE_MS });
    },
    pause: async () => {
      await docker.pause();
    },
    unpause: async () => {
      await docker.unpause();
    },
    restart: async () => {
      await thaw();
      const since = clock.now();
      await container.restart({ timeout: STOP_GRACE_MS });
      await reattachLogs(since);
    },
  };
}

/**
 * ZooKeeper (or KRaft), 1 or 3 brokers with the JMX exporter, Prometheus and Grafana, as containers on one
 * network, with the images of infra/images.ts. Needs a Docker engine; fails with what to do without one.
 */
export async function startTestcontainersStack(
  options: StackOptions,
  clock: Clock = systemClock,
): Promise<StartedTestcontainersStack> {
  const { log, signal } = options;
  const client = await requireContainerRuntime();
  const host = client.info.containerRuntime.host;
  const count = options.brokers;
  const specs = containerSpecs({
    brokers: count,
    kraft: options.kraft,
    prometheus: options.prometheus,
    advertisedHost: host,
    brokerHostPorts: await freePorts(count),
    clusterId: randomClusterId(randomBytes(16)),
  });
  const logs = new ContainerLogs(clock);
  const started: StartedTestContainer[] = [];
  let network: StartedNetwork | undefined;
  const teardown = async () => {
    const stops = await Promise.allSettled(started.splice(0).map((c) => c.stop()));
    const removed = network;
    network = undefined;
    const failures = [...stops, ...(await Promise.allSettled(removed ? [removed.stop()] : []))].flatMap(
      (r) => (r.status === "rejected" ? [(r.reason as Error).message] : []),
    );
    // A clean-up failure must not hide why a start failed; testcontainers' reaper (Ryuk) removes leftovers when this process ends.
    if (failures.length > 0)
      log(`warning: clean-up of the containers was incomplete: ${failures.join("; ")}`);
  };

  try {
    const net = await new Network().start();
    network = net;
    log(
      `starting containers on ${host}: Kafka ${KAFKA_VERSION} (${options.kraft ? "KRaft" : "ZooKeeper"}, ${count} broker${count > 1 ? "s" : ""})`,
    );
    const { brokers, prometheus, grafana } = await startContainers(specs, net, logs, started, signal);
    const connection = { brokers: brokers.map((b) => `${host}:${b.getMappedPort(PORTS.external)}`) };
    await waitForKafka(connection, count, { timeoutMs: READY_TIMEOUT_MS, signal });
    const prometheusApi = prometheus
      ? new PrometheusApi(`http://${prometheus.getHost()}:${prometheus.getMappedPort(PORTS.prometheus)}`)
      : undefined;
    if (prometheusApi) await waitForPrometheusTargets(prometheusApi, { timeoutMs: 60_000, signal });
    const grafanaUrl = grafana
      ? `http://${grafana.getHost()}:${grafana.getMappedPort(PORTS.grafana)}`
      : undefined;
    const controls = brokers.map((container, i) => {
      const name = specs.brokers[i]?.name ?? `broker-${i + 1}`;
      const reattach = async (since: number) => {
        logs.consumer(name)(await container.logs({ since: Math.floor(since / 1000) }));
      };
      return brokerControl(i + 1, container, client, reattach, clock);
    });
    const stack = testcontainersStack(
      connection,
      controls,
      prometheus,
      prometheusApi,
      grafanaUrl,
      logs,
      clock,
      teardown,
    );
    log(
      `stack ready: brokers at ${connection.brokers.join(",")}` +
        (prometheusApi ? `, Prometheus at ${prometheusApi.baseUrl}` : "") +
        (grafanaUrl ? `, Grafana at ${grafanaUrl}/d/fetch` : "") +
        ` (container logs in ${logs.dir})`,
    );
    return stack;
  } catch (error) {
    await teardown();
    throw error;
  }
}

/**
 * ZooKeeper first (with the JMX agent's download and, for Prometheus, the host-port forwarder), then the
 * brokers, Prometheus and Grafana; each started container joins `started`, for the teardown.
 */
async function startContainers(
  specs: StackSpecs,
  net: StartedNetwork,
  logs: ContainerLogs,
  started: StartedTestContainer[],
  signal: AbortSignal | undefined,
) {
  const launch = async (spec: ContainerSpec, agent?: Buffer): Promise<StartedTestContainer> => {
    if (signal?.aborted) throw new LabError("STARTUP", "stopped while the containers were starting");
    const builder = toGenericContainer(spec, {
      network: net,
      ...(agent ? { artifacts: { "jmx-agent": agent } } : {}),
      logConsumer: logs.consumer(spec.name),
    });
    const container = await builder.start().catch((error: unknown) => {
      throw startFailure(spec, error, logs.all()[spec.name]);
    });
    started.push(container);
    return container;
  };
  const { zookeeper, prometheus: prometheusSpec, grafana: grafanaSpec } = specs;
  const [agent] = await settleAll([
    fetchJmxAgentArchive(),
    zookeeper ? launch(zookeeper) : undefined,
    // The forwarder must run before Prometheus is created, to be reachable from it.
    prometheusSpec ? TestContainers.exposeHostPorts() : undefined,
  ]);
  // Brokers start together: a KRaft broker is ready only once a majority of the quorum is up.
  const [brokers, prometheus, grafana] = await settleAll([
    settleAll(specs.brokers.map((spec) => launch(spec, agent))),
    prometheusSpec ? launch(prometheusSpec) : undefined,
    grafanaSpec ? launch(grafanaSpec) : undefined,
  ]);
  return { brokers, prometheus, grafana };
}

function testcontainersStack(
  connection: { brokers: string[] },
  controls: BrokerControl[],
  prometheus: StartedTestContainer | undefined,
  prometheusApi: PrometheusApi | undefined,
  grafanaUrl: string | undefined,
  logs: ContainerLogs,
  clock: Clock,
  teardown: () => Promise<void>,
): StartedTestcontainersStack {
  const count = controls.length;
  const extraTargets: ExtraScrapeTargets = { consumer: [], lab: [] };
  let stopped = false;
  return {
    provider: "testcontainers",
    connection: () => connection,
    bootstrapServers: () => connection.brokers,
    brokerIds: () => controls.map((c) => c.id),
    replicationFactor: () => (count >= 3 ? 3 : 1),
    prometheusUrl: () => prometheusApi?.baseUrl,
    grafanaUrl: () => grafanaUrl,
    logFiles: () => logs.all(),
    registerScrapeTarget: async (job, address) => {
      if (!prometheus || !prometheusApi) return;
      const reachable = addressFromContainer(address);
      if (reachable.forwardPort !== undefined) await TestContainers.exposeHostPorts(reachable.forwardPort);
      const list = job === "lab" ? extraTargets.lab : extraTargets.consumer;
      if (!list.includes(reachable.address)) list.push(reachable.address);
      await prometheus.copyContentToContainer([
        { content: prometheusConfig(count, extraTargets), target: PROMETHEUS_CONFIG_TARGET },
      ]);
      await prometheusApi.reload();
    },
    faults: containerFaults(controls, clock),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await teardown();
    },
  };
}
