import type { KafkaConnection } from "../../pipeline/kafka/client.ts";

export type ProviderName = "local" | "testcontainers" | "external";

export interface StackOptions {
  brokers: 1 | 3;
  kraft: boolean;
  /** Start Prometheus when the provider can (local: when `prometheus` is on PATH). */
  prometheus: boolean;
  /** Progress and warnings for a person watching. */
  log: (line: string) => void;
  /** Aborts a start that is still in progress. */
  signal?: AbortSignal;
  /** Local only: add SASL_PLAINTEXT (PLAIN, SCRAM) and SSL listeners, for testing secured clients. */
  secureListeners?: boolean;
  /**
   * Local, ZooKeeper mode: the brokers' ZooKeeper session timeout, when not Kafka's 18 s. A test lengthens it
   * so that a killed broker's restart surely lands inside its old session (at most 40 s: ZooKeeper's cap).
   */
  zookeeperSessionTimeoutMs?: number;
}

export type FaultAction = "kill" | "stop" | "pause" | "resume" | "restart";

export interface InfraFault {
  action: FaultAction;
  target: string;
  pid: number | undefined;
  signal: string | undefined;
  /** Epoch milliseconds. */
  at: number;
  /** A restart: how long after its launch the broker served again, and how many launches that took. */
  startedAfterMs?: number;
  attempts?: number;
  /** A restart's launches that died at start-up before the one that served: each one's telling log line. */
  retriedAfter?: string[];
}

/** A stack process that exited when no fault or stop asked it to: a broker the run went on without. */
export interface UnexpectedExit {
  /** The process's name ("broker-2", "zookeeper"). */
  service: string;
  brokerId?: number;
  /** Epoch milliseconds. */
  at: number;
  code: number | null;
  signal: string | null;
  /** The last telling error line of its log, when it wrote one. */
  lastError?: string;
}

/** Fault controls for one broker by id. Providers that cannot do a fault throw a LabError saying so. */
export interface FaultControls {
  apply(action: FaultAction, brokerId: number): Promise<InfraFault>;
  readonly history: readonly InfraFault[];
}

/** A running stack. Its getters give the rest of the lab what it needs; nothing else reads ports. */
export interface StartedStack {
  readonly provider: ProviderName;
  connection(): KafkaConnection;
  bootstrapServers(): string[];
  brokerIds(): number[];
  replicationFactor(): number;
  prometheusUrl(): string | undefined;
  /** Grafana with the lab's dashboard, where the provider has one. */
  grafanaUrl(): string | undefined;
  /** Service name → log file, for messages and reports. */
  logFiles(): Record<string, string>;
  /** Adds a /metrics endpoint for Prometheus to scrape (a consumer, the lab itself). */
  registerScrapeTarget(job: "login-consumer" | "lab", address: string): Promise<void>;
  readonly faults: FaultControls;
  /** The broker id of the active controller (ZooKeeper or KRaft), where the provider can tell. */
  activeController?(): Promise<number>;
  /** Stack processes that died unasked so far, where the provider watches them (local). */
  unexpectedExits?(): readonly UnexpectedExit[];
  stop(): Promise<void>;
}
