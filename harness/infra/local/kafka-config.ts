/** Renders the properties files of a local cluster. Pure, so the settings are unit-tested. */

export interface BrokerPorts {
  id: number;
  port: number;
  /** KRaft only: the controller listener. */
  controllerPort: number;
  jmxExporterPort: number;
}

export interface ClusterLayout {
  mode: "zookeeper" | "kraft";
  zookeeperPort: number;
  brokers: BrokerPorts[];
}

export function toProperties(entries: Record<string, string | number | boolean>): string {
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

/** Replication settings for 1 broker, or for 3 as Kafka's own system tests run them (RF 3, min ISR 2). */
export function replicationSettings(brokerCount: number): Record<string, number> {
  const rf = brokerCount >= 3 ? 3 : 1;
  const minIsr = brokerCount >= 3 ? 2 : 1;
  return {
    "default.replication.factor": rf,
    "min.insync.replicas": minIsr,
    "offsets.topic.replication.factor": rf,
    "transaction.state.log.replication.factor": rf,
    "transaction.state.log.min.isr": minIsr,
  };
}

/** The lab's broker settings, whatever runs the broker (local processes or containers). */
export function labBrokerSettings(brokerCount: number): Record<string, string | number | boolean> {
  return {
    ...replicationSettings(brokerCount),
    // The lab and the pipeline create their topics with explicit partition counts.
    "auto.create.topics.enable": false,
    "group.initial.rebalance.delay.ms": 0,
    // Fewer internal partitions: far quicker first group join and first transaction on a laptop.
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.num.partitions": 10,
    "unclean.leader.election.enable": false,
  };
}

export function brokerProperties(layout: ClusterLayout, broker: BrokerPorts, dataDir: string): string {
  const common = {
    ...labBrokerSettings(layout.brokers.length),
    "log.dirs": dataDir,
    "num.partitions": 1,
    "log.retention.hours": 24,
    "log.segment.bytes": 64 * 1024 * 1024,
    "num.network.threads": 3,
    "num.io.threads": 4,
    "controlled.shutdown.enable": true,
  };
  if (layout.mode === "zookeeper") {
    return toProperties({
      "broker.id": broker.id,
      listeners: `PLAINTEXT://127.0.0.1:${broker.port}`,
      "advertised.listeners": `PLAINTEXT://127.0.0.1:${broker.port}`,
      "zookeeper.connect": `127.0.0.1:${layout.zookeeperPort}`,
      "zookeeper.connection.timeout.ms": 18_000,
      ...common,
    });
  }
  return toProperties({
    "process.roles": "broker,controller",
    "node.id": broker.id,
    "controller.quorum.voters": layout.brokers.map((b) => `${b.id}@127.0.0.1:${b.controllerPort}`).join(","),
    listeners: `PLAINTEXT://127.0.0.1:${broker.port},CONTROLLER://127.0.0.1:${broker.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${broker.port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    ...common,
  });
}

export function zookeeperProperties(port: number, dataDir: string): string {
  return toProperties({
    dataDir,
    clientPort: port,
    clientPortAddress: "127.0.0.1",
    maxClientCnxns: 0,
    "admin.enableServer": false,
    "4lw.commands.whitelist": "ruok,srvr",
    tickTime: 2000,
  });
}

/** Console logging only: the process writes it straight into its log file. */
export const LOG4J_PROPERTIES = toProperties({
  "log4j.rootLogger": "INFO, stdout",
  "log4j.appender.stdout": "org.apache.log4j.ConsoleAppender",
  "log4j.appender.stdout.layout": "org.apache.log4j.PatternLayout",
  "log4j.appender.stdout.layout.ConversionPattern": "[%d] %p %m (%c)%n",
  "log4j.logger.kafka": "INFO",
  "log4j.logger.org.apache.kafka": "INFO",
  "log4j.logger.kafka.request.logger": "WARN",
  "log4j.logger.state.change.logger": "WARN",
  "log4j.logger.kafka.controller": "INFO",
  "log4j.logger.org.apache.zookeeper": "WARN",
});

/** A random cluster id in Kafka's format (16 bytes, URL-safe base64 without padding). */
export function randomClusterId(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}
