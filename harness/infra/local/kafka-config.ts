/** Renders the properties files of a local cluster. Pure, so the settings are unit-tested. */

export interface BrokerPorts {
  id: number;
  port: number;
  /** KRaft only: the controller listener. */
  controllerPort: number;
  jmxExporterPort: number;
  /** With secure listeners: SASL_PLAINTEXT (PLAIN and SCRAM) and SSL, beside the plaintext one. */
  saslPort?: number;
  sslPort?: number;
}

/** Extra listeners for testing secured clients; inter-broker traffic stays on the plaintext listener. */
export interface SecureListeners {
  /** User name and password: a PLAIN user here, and (added once the broker runs) a SCRAM user of both kinds. */
  user: { name: string; password: string };
  /** A PKCS12 keystore holding the broker's key and a certificate for 127.0.0.1. */
  keystore: { file: string; password: string };
}

export interface ClusterLayout {
  mode: "zookeeper" | "kraft";
  zookeeperPort: number;
  brokers: BrokerPorts[];
  secure?: SecureListeners;
  /** ZooKeeper mode: the brokers' zookeeper.session.timeout.ms, when not Kafka's default (18 s). */
  zookeeperSessionTimeoutMs?: number;
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
  const secure = secureListenerSettings(layout.secure, broker);
  const clientListeners = [`PLAINTEXT://127.0.0.1:${broker.port}`, ...secure.listeners].join(",");
  const protocols = ["PLAINTEXT:PLAINTEXT", ...secure.protocols];
  if (layout.mode === "zookeeper") {
    return toProperties({
      "broker.id": broker.id,
      listeners: clientListeners,
      "advertised.listeners": clientListeners,
      "inter.broker.listener.name": "PLAINTEXT",
      "listener.security.protocol.map": protocols.join(","),
      "zookeeper.connect": `127.0.0.1:${layout.zookeeperPort}`,
      "zookeeper.connection.timeout.ms": 18_000,
      ...(layout.zookeeperSessionTimeoutMs === undefined
        ? {}
        : { "zookeeper.session.timeout.ms": layout.zookeeperSessionTimeoutMs }),
      ...common,
      ...secure.settings,
    });
  }
  return toProperties({
    "process.roles": "broker,controller",
    "node.id": broker.id,
    "controller.quorum.voters": layout.brokers.map((b) => `${b.id}@127.0.0.1:${b.controllerPort}`).join(","),
    listeners: `${clientListeners},CONTROLLER://127.0.0.1:${broker.controllerPort}`,
    "advertised.listeners": clientListeners,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": [...protocols, "CONTROLLER:PLAINTEXT"].join(","),
    ...common,
    ...secure.settings,
  });
}

export const SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const;

/** The SASL_PLAINTEXT and SSL listeners' settings, or nothing when the cluster has none. */
function secureListenerSettings(secure: SecureListeners | undefined, broker: BrokerPorts) {
  if (!secure || broker.saslPort === undefined || broker.sslPort === undefined)
    return { listeners: [], protocols: [], settings: {} };
  const sasl = "listener.name.sasl_plaintext";
  const quoted = (text: string) => `"${text.replace(/[\\"]/g, "\\$&")}"`;
  return {
    listeners: [`SASL_PLAINTEXT://127.0.0.1:${broker.saslPort}`, `SSL://127.0.0.1:${broker.sslPort}`],
    protocols: ["SASL_PLAINTEXT:SASL_PLAINTEXT", "SSL:SSL"],
    settings: {
      "sasl.enabled.mechanisms": ["PLAIN", ...SCRAM_MECHANISMS].join(","),
      [`${sasl}.plain.sasl.jaas.config`]:
        "org.apache.kafka.common.security.plain.PlainLoginModule required " +
        `user_${secure.user.name}=${quoted(secure.user.password)};`,
      ...Object.fromEntries(
        SCRAM_MECHANISMS.map((m) => [
          `${sasl}.${m.toLowerCase()}.sasl.jaas.config`,
          "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        ]),
      ),
      "ssl.keystore.type": "PKCS12",
      "ssl.keystore.location": secure.keystore.file,
      "ssl.keystore.password": secure.keystore.password,
      "ssl.client.auth": "none",
    },
  };
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

/**
 * A random cluster id in Kafka's format (16 bytes, URL-safe base64 without padding). Never one starting with
 * "-", which `kafka-storage format -t` takes for an option (1 id in 64, failing a KRaft start at random);
 * Kafka's own Uuid.randomUuid() draws again for the same reason.
 */
export function randomClusterId(bytes: Uint8Array): string {
  const id = Buffer.from(bytes).toString("base64url");
  return id.startsWith("-") ? `A${id.slice(1)}` : id;
}
