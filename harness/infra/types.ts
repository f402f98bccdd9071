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
}

export type FaultAction = "kill" | "stop" | "pause" | "resume" | "restart";

export interface InfraFault {
  action: FaultAction;
  target: string;
  pid: number | undefined;
  signal: string | undefined;
  /** Epoch milliseconds. */
  at: number;
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
  stop(): Promise<void>;
}
