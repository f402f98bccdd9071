import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPrometheusConfig } from "../../../infra/prometheus/config.ts";
import { RULE_FILES } from "../../../infra/prometheus/rules.ts";
import { systemClock } from "../../core/clock.ts";
import { EnvironmentError, LabError } from "../../core/errors.ts";
import { readActiveController } from "../active-controller.ts";
import { brokerServes } from "../broker-serves.ts";
import { PrometheusApi } from "../prometheus-api.ts";
import { waitForKafka, waitForPrometheusTargets } from "../readiness.ts";
import type { FaultAction, FaultControls, InfraFault, StackOptions, StartedStack } from "../types.ts";
import { KAFKA_VERSION } from "../versions.ts";
import { ExitWatch } from "./exit-watch.ts";
import {
  type BrokerPorts,
  brokerProperties,
  type ClusterLayout,
  LOG4J_PROPERTIES,
  randomClusterId,
  zookeeperProperties,
} from "./kafka-config.ts";
import { freePorts } from "./ports.ts";
import { ManagedProcess } from "./process.ts";
import { ensureKafkaDistribution, type KafkaDistribution, REPO_ROOT } from "./provision.ts";
import { cleanupStaleRuns, RunFolder } from "./run-registry.ts";
import { addScramUser } from "./scram-users.ts";
import { type SupervisedStart, startSupervised } from "./supervised-start.ts";
import { makeTlsMaterial } from "./tls-material.ts";

export const JMX_RULES_FILE = join(REPO_ROOT, "infra/jmx-exporter/kafka-broker.yml");

const READY_TIMEOUT_MS = 90_000;

interface Broker {
  ports: BrokerPorts;
  process: ManagedProcess;
  dataDir: string;
}

function javaArgs(
  dist: KafkaDistribution,
  run: RunFolder,
  heap: string,
  extra: string[],
  main: string[],
): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${run.path("log4j.properties")}`,
    `-Dkafka.logs.dir=${run.path("logs")}`,
    ...extra,
    "-cp",
    `${dist.libDir}/*`,
    ...main,
  ];
}

function startupFailure(service: string, process: ManagedProcess, reason: string): LabError {
  const log = process.logTail(15);
  const portClash = /Address already in use|BindException/.test(log);
  return new LabError("STARTUP", `${service} ${reason}. Last lines of ${process.spec.logFile}:\n${log}`, {
    hint: portClash
      ? "a port the lab picked was taken before the service bound it; run again (ports are chosen anew)"
      : `read the full log at ${process.spec.logFile}`,
    retriable: portClash,
  });
}

/** Where a local stack started with `secureListeners` takes secured clients, and with what. */
export interface SecureEndpoints {
  /** SASL_PLAINTEXT bootstrap servers: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 all work for `user`. */
  sasl: string[];
  /** SSL bootstrap servers, whose certificate `caFile` signed. */
  ssl: string[];
  caFile: string;
  user: { name: string; password: string };
  /** The password in a file of the run folder, for `--sasl-password-file`. */
  passwordFile: string;
}

export interface StartedLocalStack extends StartedStack {
  secureEndpoints(): SecureEndpoints | undefined;
}

/** The processes of one local stack: each one launched is recorded in the run folder and watched. */
interface LocalProcesses {
  dist: KafkaDistribution;
  run: RunFolder;
  all: ManagedProcess[];
  exits: ExitWatch;
  launch(process: ManagedProcess): void;
}

type SecureSettings = ReturnType<typeof secureSettings>;

/** Real ZooKeeper (or KRaft controllers), brokers with the JMX exporter, and Prometheus, as local processes. */
export async function startLocalStack(options: StackOptions): Promise<StartedLocalStack> {
  const { log } = options;
  cleanupStaleRuns(log);
  const dist = await ensureKafkaDistribution(log);
  const run = RunFolder.create(new Date());
  mkdirSync(run.path("logs"), { recursive: true });
  writeFileSync(run.path("log4j.properties"), LOG4J_PROPERTIES);

  const secure = options.secureListeners ? secureSettings(run.path("tls")) : undefined;
  const { layout, prometheusPort } = await planLayout(options, secure);
  const all: ManagedProcess[] = [];
  const exits = new ExitWatch();
  const processes: LocalProcesses = {
    dist,
    run,
    all,
    exits,
    launch: (process) => {
      exits.starting(process);
      const pid = process.start();
      run.recordProcess(process.spec.name, pid);
      all.push(process);
    },
  };
  const stopAll = async (): Promise<void> => {
    exits.stop();
    await Promise.all(all.filter((p) => p.spec.name !== "zookeeper").map((p) => p.terminate(10_000)));
    await Promise.all(all.map((p) => p.terminate(5_000)));
  };

  try {
    const zookeeper =
      layout.mode === "zookeeper" ? launchZookeeper(processes, layout.zookeeperPort) : undefined;
    const brokers = launchBrokers(processes, layout);
    const prometheus = options.prometheus ? preparePrometheus(run, layout, prometheusPort, log) : undefined;
    if (prometheus) processes.launch(prometheus.process);
    const connection = { brokers: brokers.map((b) => `127.0.0.1:${b.ports.port}`) };
    const ready = { timeoutMs: READY_TIMEOUT_MS, signal: options.signal, check: () => failFast(all) };
    await waitForKafka(connection, options.brokers, ready).catch((error: unknown) => {
      throw withLogTails(error, brokers.map((b) => b.process).concat(zookeeper ? [zookeeper] : []));
    });
    if (prometheus) {
      await waitForPrometheusTargets(prometheus.api, ready).catch((error: unknown) => {
        throw withLogTails(error, [prometheus.process]);
      });
    }
    if (secure) addScramUser(dist, connection.brokers.join(","), secure.listeners.user);
    const stack = localStack(processes, layout, brokers, prometheus, secure, stopAll);
    const count = options.brokers;
    log(
      `stack ready: Kafka ${KAFKA_VERSION} (${layout.mode}, ${count} broker${count > 1 ? "s" : ""}) at ${connection.brokers.join(",")}` +
        (prometheus ? `, Prometheus at ${prometheus.api.baseUrl}` : ""),
    );
    return stack;
  } catch (error) {
    await stopAll();
    run.finish([]);
    throw error;
  }
}

/** Free ports for ZooKeeper, each broker's listeners and exporter, and Prometheus. */
async function planLayout(
  options: StackOptions,
  secure: SecureSettings | undefined,
): Promise<{ layout: ClusterLayout; prometheusPort: number }> {
  const count = options.brokers;
  const ports = await freePorts(2 + count * (secure ? 5 : 3));
  const take = () => ports.pop() as number;
  const layout: ClusterLayout = {
    mode: options.kraft ? "kraft" : "zookeeper",
    zookeeperPort: take(),
    brokers: Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      port: take(),
      controllerPort: take(),
      jmxExporterPort: take(),
      ...(secure ? { saslPort: take(), sslPort: take() } : {}),
    })),
    ...(secure ? { secure: secure.listeners } : {}),
    ...(options.zookeeperSessionTimeoutMs === undefined
      ? {}
      : { zookeeperSessionTimeoutMs: options.zookeeperSessionTimeoutMs }),
  };
  return { layout, prometheusPort: take() };
}

function launchZookeeper({ dist, run, exits, launch }: LocalProcesses, port: number): ManagedProcess {
  const zkData = run.path("zookeeper");
  mkdirSync(zkData, { recursive: true });
  writeFileSync(run.path("zookeeper.properties"), zookeeperProperties(port, zkData));
  const zookeeper = new ManagedProcess({
    name: "zookeeper",
    command: dist.javaBin,
    args: javaArgs(
      dist,
      run,
      "256m",
      [],
      ["org.apache.zookeeper.server.quorum.QuorumPeerMain", run.path("zookeeper.properties")],
    ),
    logFile: run.path("logs", "zookeeper.log"),
  });
  launch(zookeeper);
  exits.watch(zookeeper);
  return zookeeper;
}

/** Writes each broker's properties (and formats KRaft storage), then starts them all. */
function launchBrokers({ dist, run, exits, launch }: LocalProcesses, layout: ClusterLayout): Broker[] {
  const brokers: Broker[] = layout.brokers.map((ports) => {
    const dataDir = run.path(`broker-${ports.id}`, "data");
    mkdirSync(dataDir, { recursive: true });
    const propsFile = run.path(`broker-${ports.id}`, "server.properties");
    writeFileSync(propsFile, brokerProperties(layout, ports, dataDir));
    const agent = `-javaagent:${dist.jmxAgentJar}=127.0.0.1:${ports.jmxExporterPort}:${JMX_RULES_FILE}`;
    const process = new ManagedProcess({
      name: `broker-${ports.id}`,
      command: dist.javaBin,
      args: javaArgs(dist, run, "768m", [agent], ["kafka.Kafka", propsFile]),
      logFile: run.path("logs", `broker-${ports.id}.log`),
    });
    return { ports, process, dataDir };
  });
  if (layout.mode === "kraft") formatKraftStorage(dist, run, brokers);
  for (const broker of brokers) {
    launch(broker.process);
    exits.watch(broker.process, broker.ports.id);
  }
  return brokers;
}

/** Stops waiting for readiness as soon as a process could not start or has exited. */
function failFast(all: readonly ManagedProcess[]): void {
  for (const p of all) {
    if (p.spawnError)
      throw new EnvironmentError(
        `could not start ${p.spec.name}: ${p.spawnError.message}`,
        "check the install",
      );
    if (!p.running) throw startupFailure(p.spec.name, p, `exited during start-up (${describeExit(p)})`);
  }
}

function localStack(
  processes: LocalProcesses,
  layout: ClusterLayout,
  brokers: Broker[],
  prometheus: PreparedPrometheus | undefined,
  secure: SecureSettings | undefined,
  stopAll: () => Promise<void>,
): StartedLocalStack {
  const { run, all, exits } = processes;
  const connection = { brokers: brokers.map((b) => `127.0.0.1:${b.ports.port}`) };
  let stopped = false;
  return {
    provider: "local",
    connection: () => connection,
    bootstrapServers: () => connection.brokers,
    brokerIds: () => brokers.map((b) => b.ports.id),
    unexpectedExits: () => exits.deaths,
    replicationFactor: () => (brokers.length >= 3 ? 3 : 1),
    prometheusUrl: () => prometheus?.api.baseUrl,
    grafanaUrl: () => undefined,
    logFiles: () => Object.fromEntries(all.map((p) => [p.spec.name, p.spec.logFile])),
    registerScrapeTarget: async (job, address) => {
      if (!prometheus) return;
      prometheus.targets[job].add(address);
      prometheus.writeConfig();
      await prometheus.api.reload();
    },
    faults: brokerFaults(processes, brokers, connection),
    activeController: () =>
      readActiveController(
        new Map(layout.brokers.map((b) => [b.id, `http://127.0.0.1:${b.jmxExporterPort}/metrics`])),
        prometheus?.api,
      ),
    secureEndpoints: () =>
      secure && {
        sasl: layout.brokers.map((b) => `127.0.0.1:${b.saslPort}`),
        ssl: layout.brokers.map((b) => `127.0.0.1:${b.sslPort}`),
        caFile: secure.caFile,
        user: secure.listeners.user,
        passwordFile: secure.passwordFile,
      },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopAll();
      run.finish([
        ...brokers.map((b) => b.dataDir),
        run.path("zookeeper"),
        run.path("prometheus-data"),
        run.path("tls"),
      ]);
    },
  };
}

/** Faults on the local brokers, each recorded in `history`. */
function brokerFaults(
  processes: LocalProcesses,
  brokers: Broker[],
  connection: { brokers: string[] },
): FaultControls {
  const history: InfraFault[] = [];
  return {
    history,
    apply: async (action, brokerId) => {
      const broker = brokers.find((b) => b.ports.id === brokerId);
      if (!broker)
        throw new LabError(
          "USAGE",
          `there is no broker ${brokerId}; brokers are ${brokers.map((b) => b.ports.id).join(", ")}`,
        );
      const fault = await applyFault(action, broker, {
        askExit: () => processes.exits.ask(broker.process),
        restart: () => restartBroker(processes, broker, connection),
      });
      history.push(fault);
      return fault;
    },
  };
}

/** Starts a stopped broker again and waits until it serves, or gives it up as dead. */
async function restartBroker(
  { exits, launch }: LocalProcesses,
  broker: Broker,
  connection: { brokers: string[] },
): Promise<SupervisedStart> {
  const address = `127.0.0.1:${broker.ports.port}`;
  try {
    return await startSupervised(
      {
        name: `broker ${broker.ports.id}`,
        logFile: broker.process.spec.logFile,
        launch: () => {
          // A restart in flight when the stack stops must not start a broker after it.
          if (exits.stopping) throw new LabError("KAFKA", "the stack stopped during the restart");
          launch(broker.process);
        },
        running: () => broker.process.running,
        describeExit: () => describeExit(broker.process),
        logSinceLaunch: () => exits.logSinceStart(broker.process),
        serving: () => brokerServes(connection, address, broker.ports.id),
      },
      systemClock,
    );
  } catch (error) {
    // Given up on: a broker the run now goes on without, whatever the timeline says next.
    if (!broker.process.running) exits.record(broker.process, broker.ports.id);
    throw error;
  } finally {
    exits.settled(broker.process);
  }
}

/** A throwaway user and TLS material in the run folder, for the secure listeners. */
function secureSettings(dir: string) {
  mkdirSync(dir, { recursive: true });
  const tls = makeTlsMaterial(dir);
  const user = { name: "lab", password: randomBytes(12).toString("hex") };
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, user.password, { mode: 0o600 });
  return { caFile: tls.caFile, passwordFile, listeners: { user, keystore: tls.keystore } };
}

/** A start-up timeout says what each service involved last wrote, since that is where the reason is. */
function withLogTails(error: unknown, processes: ManagedProcess[]): unknown {
  if (!(error instanceof LabError) || error.code !== "STARTUP" || error.message.includes("Last lines of"))
    return error;
  const tails = processes.map((p) => `Last lines of ${p.spec.logFile}:\n${p.logTail(8)}`).join("\n");
  return new LabError("STARTUP", `${error.message}\n${tails}`, {
    hint: "read the full logs named above",
    cause: error,
    retriable: error.retriable,
  });
}

function describeExit(p: ManagedProcess): string {
  const exit = p.exit;
  if (!exit) return "still running";
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function formatKraftStorage(dist: KafkaDistribution, run: RunFolder, brokers: Broker[]): void {
  const clusterId = randomClusterId(randomBytes(16));
  for (const broker of brokers) {
    const result = spawnSync(
      dist.javaBin,
      javaArgs(
        dist,
        run,
        "256m",
        [],
        [
          "kafka.tools.StorageTool",
          "format",
          "-t",
          clusterId,
          "-c",
          run.path(`broker-${broker.ports.id}`, "server.properties"),
        ],
      ),
      { encoding: "utf8" },
    );
    if (result.status !== 0) {
      throw new LabError(
        "STARTUP",
        `formatting KRaft storage for broker ${broker.ports.id} failed:\n${result.stdout}${result.stderr}`,
      );
    }
  }
}

interface PreparedPrometheus {
  process: ManagedProcess;
  api: PrometheusApi;
  targets: Record<"login-consumer" | "lab", Set<string>>;
  writeConfig(): void;
}

function preparePrometheus(
  run: RunFolder,
  layout: ClusterLayout,
  port: number,
  log: (line: string) => void,
): PreparedPrometheus | undefined {
  if (spawnSync("prometheus", ["--version"]).error) {
    log(
      "warning: `prometheus` is not on PATH, so the run goes on without it: no broker metrics (messages in, bytes, " +
        "under-replicated partitions) and no check of the seed's counters. Install it with `apt-get install prometheus`.",
    );
    return undefined;
  }
  const configFile = run.path("prometheus.yml");
  const targets = { "login-consumer": new Set<string>(), lab: new Set<string>() };
  const writeConfig = () =>
    writeFileSync(
      configFile,
      renderPrometheusConfig({
        scrapeIntervalSeconds: 1,
        kafkaTargets: layout.brokers.map((b) => ({
          brokerId: b.id,
          address: `127.0.0.1:${b.jmxExporterPort}`,
        })),
        consumerTargets: [...targets["login-consumer"]],
        labTargets: [...targets.lab],
        ruleFiles: [...RULE_FILES],
      }),
    );
  writeConfig();
  const process = new ManagedProcess({
    name: "prometheus",
    command: "prometheus",
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${run.path("prometheus-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      "--log.level=warn",
    ],
    logFile: run.path("logs", "prometheus.log"),
  });
  return { process, api: new PrometheusApi(`http://127.0.0.1:${port}`), targets, writeConfig };
}

interface BrokerLifecycle {
  /** Marks the coming exit as the timeline's, not a death. */
  askExit(): void;
  /** Starts the broker again and returns once it serves (see startSupervised). */
  restart(): Promise<SupervisedStart>;
}

async function applyFault(
  action: FaultAction,
  broker: Broker,
  lifecycle: BrokerLifecycle,
): Promise<InfraFault> {
  const target = `broker:${broker.ports.id}`;
  const pid = broker.process.pid;
  const at = Date.now();
  switch (action) {
    case "kill":
      lifecycle.askExit();
      broker.process.signal("SIGKILL");
      await broker.process.waitForExit(10_000);
      return { action, target, pid, signal: "SIGKILL", at };
    case "stop":
      lifecycle.askExit();
      await broker.process.terminate(30_000);
      return { action, target, pid, signal: "SIGTERM", at };
    case "pause":
      broker.process.signal("SIGSTOP");
      return { action, target, pid, signal: "SIGSTOP", at };
    case "resume":
      broker.process.signal("SIGCONT");
      return { action, target, pid, signal: "SIGCONT", at };
    case "restart": {
      // terminate() sends SIGCONT first, so a paused broker stops too.
      lifecycle.askExit();
      await broker.process.terminate(30_000);
      const { startedAfterMs, attempts, retriedAfter } = await lifecycle.restart();
      return {
        action,
        target,
        pid: broker.process.pid,
        signal: "SIGTERM",
        at,
        startedAfterMs,
        attempts,
        ...(retriedAfter.length > 0 ? { retriedAfter } : {}),
      };
    }
  }
}
