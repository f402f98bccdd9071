import { describe, expect, it } from "vitest";
import {
  brokerProperties,
  type ClusterLayout,
  randomClusterId,
  replicationSettings,
} from "./kafka-config.ts";

function parse(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** The server.properties of the broker at `index` of `layout`, its data under "/d". */
const propertiesOf = (layout: ClusterLayout, index: number) =>
  parse(brokerProperties(layout, layout.brokers[index] as ClusterLayout["brokers"][number], "/d"));

const threeBrokers = (mode: ClusterLayout["mode"]): ClusterLayout => ({
  mode,
  zookeeperPort: 2000,
  brokers: [1, 2, 3].map((id) => ({
    id,
    port: 3000 + id,
    controllerPort: 4000 + id,
    jmxExporterPort: 5000 + id,
  })),
});

describe("broker properties", () => {
  it("gives three brokers RF 3 and min ISR 2 for data, offsets and transactions", () => {
    expect(replicationSettings(3)).toEqual({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
    });
    expect(Object.values(replicationSettings(1))).toEqual([1, 1, 1, 1, 1]);
  });

  it("points ZooKeeper-mode brokers at ZooKeeper and loopback listeners", () => {
    const layout = threeBrokers("zookeeper");
    const props = propertiesOf(layout, 1);
    expect(props["broker.id"]).toBe("2");
    expect(props["zookeeper.connect"]).toBe("127.0.0.1:2000");
    expect(props.listeners).toBe("PLAINTEXT://127.0.0.1:3002");
    expect(props["auto.create.topics.enable"]).toBe("false");
    expect(props["process.roles"]).toBeUndefined();
    expect(props["zookeeper.session.timeout.ms"]).toBeUndefined();
    const longer = { ...layout, zookeeperSessionTimeoutMs: 30_000 };
    const withSession = propertiesOf(longer, 1);
    expect(withSession["zookeeper.session.timeout.ms"]).toBe("30000");
  });

  it("gives KRaft brokers a controller quorum of every node and no ZooKeeper", () => {
    const layout = threeBrokers("kraft");
    const props = propertiesOf(layout, 0);
    expect(props["process.roles"]).toBe("broker,controller");
    expect(props["controller.quorum.voters"]).toBe("1@127.0.0.1:4001,2@127.0.0.1:4002,3@127.0.0.1:4003");
    expect(props.listeners).toBe("PLAINTEXT://127.0.0.1:3001,CONTROLLER://127.0.0.1:4001");
    expect(props["zookeeper.connect"]).toBeUndefined();
  });

  it("makes cluster ids of 22 URL-safe characters", () => {
    const id = randomClusterId(new Uint8Array(16).fill(255));
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("never makes a cluster id that kafka-storage would take for an option", () => {
    // 0xF8 puts 62, base64url's "-", in the first character.
    const id = randomClusterId(new Uint8Array(16).fill(0xf8));
    expect(Buffer.from(new Uint8Array(16).fill(0xf8)).toString("base64url")).toMatch(/^-/);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it("adds SASL_PLAINTEXT and SSL listeners on request, keeping brokers talking plaintext among themselves", () => {
    const layout: ClusterLayout = {
      mode: "kraft",
      zookeeperPort: 2000,
      brokers: [
        { id: 1, port: 3001, controllerPort: 4001, jmxExporterPort: 5001, saslPort: 6001, sslPort: 7001 },
      ],
      secure: { user: { name: "lab", password: 'p"w' }, keystore: { file: "/k/broker.p12", password: "kp" } },
    };
    const props = propertiesOf(layout, 0);
    expect(props.listeners).toBe(
      "PLAINTEXT://127.0.0.1:3001,SASL_PLAINTEXT://127.0.0.1:6001,SSL://127.0.0.1:7001,CONTROLLER://127.0.0.1:4001",
    );
    expect(props["advertised.listeners"]).toBe(
      "PLAINTEXT://127.0.0.1:3001,SASL_PLAINTEXT://127.0.0.1:6001,SSL://127.0.0.1:7001",
    );
    expect(props["inter.broker.listener.name"]).toBe("PLAINTEXT");
    expect(props["listener.security.protocol.map"]).toBe(
      "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
    );
    expect(props["sasl.enabled.mechanisms"]).toBe("PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    expect(props["listener.name.sasl_plaintext.plain.sasl.jaas.config"]).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_lab="p\\"w";',
    );
    expect(props["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]).toContain(
      "ScramLoginModule",
    );
    expect(props["ssl.keystore.location"]).toBe("/k/broker.p12");
  });

  it("has no secure listener unless asked", () => {
    const layout = threeBrokers("zookeeper");
    const props = propertiesOf(layout, 0);
    expect(props.listeners).toBe("PLAINTEXT://127.0.0.1:3001");
    expect(Object.keys(props).some((k) => k.startsWith("sasl.") || k.startsWith("ssl."))).toBe(false);
  });
});
