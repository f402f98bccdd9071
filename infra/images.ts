/**
 * Container images of the Docker stack, pinned. docker-compose.yml declares the same tags once, under
 * `x-images`, and the Dockerfile's NODE_IMAGE default repeats the Node one; infra/compose.test.ts checks
 * that all three agree. The testcontainers provider reads them from here.
 */
export const IMAGES = {
  /** Confluent Platform 7.9 is Apache Kafka 3.9, the last line with ZooKeeper mode, as the local provider runs. */
  zookeeper: "confluentinc/cp-zookeeper:7.9.5",
  kafka: "confluentinc/cp-kafka:7.9.5",
  prometheus: "prom/prometheus:v3.5.0",
  grafana: "grafana/grafana:12.3.0",
  /** Fetches the JMX exporter agent from Maven Central for the broker container. */
  maven: "maven:3.9.11-eclipse-temurin-17",
  node: "node:20.19.5-bookworm-slim",
} as const;
