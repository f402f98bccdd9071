/**
 * Versions of what the local provider runs. Maven resolves them from infra/kafka/pom.xml; a unit test
 * checks that the two agree, so this is the one place to read them from TypeScript.
 */
export const KAFKA_VERSION = "3.9.2";
export const ZOOKEEPER_VERSION = "3.8.4";
export const JMX_EXPORTER_VERSION = "1.0.1";
export const MIN_JAVA_MAJOR = 17;
