import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentError } from "../../core/errors.ts";
import { JMX_EXPORTER_VERSION, KAFKA_VERSION, ZOOKEEPER_VERSION } from "../versions.ts";
import { ensureKafkaDistribution, findJava, KAFKA_POM, parseJavaMajor } from "./provision.ts";

/** A JAVA_HOME whose `java -version` prints what an old or odd JDK prints. */
function fakeJavaHome(versionLine: string): string {
  const home = mkdtempSync(join(tmpdir(), "fake-jdk-"));
  mkdirSync(join(home, "bin"));
  const java = join(home, "bin", "java");
  writeFileSync(java, `#!/bin/sh\necho '${versionLine}' >&2\n`);
  chmodSync(java, 0o755);
  return home;
}

const saved = { JAVA_HOME: process.env.JAVA_HOME, PATH: process.env.PATH, LAB_HOME: process.env.LAB_HOME };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("provisioning", () => {
  it("reads the major version of old and new JDKs", () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor("no version here")).toBeUndefined();
  });

  it("refuses a Java that is too old, naming the version needed and the fix", () => {
    process.env.JAVA_HOME = fakeJavaHome('openjdk version "11.0.2" 2019-01-15');
    expect(() => findJava()).toThrow(EnvironmentError);
    try {
      findJava();
    } catch (error) {
      expect((error as EnvironmentError).message).toContain("Java 17 or newer");
      expect((error as EnvironmentError).message).toContain("version 11");
      expect((error as EnvironmentError).hint).toContain("openjdk-17-jre-headless");
    }
  });

  it("says Java is missing when there is none", () => {
    process.env.JAVA_HOME = mkdtempSync(join(tmpdir(), "no-jdk-"));
    expect(() => findJava()).toThrow(/was not found/);
  });

  it("says what to do when Kafka is not cached and Maven is not installed", async () => {
    process.env.LAB_HOME = mkdtempSync(join(tmpdir(), "empty-lab-home-"));
    process.env.JAVA_HOME = fakeJavaHome('openjdk version "17.0.15" 2025-04-15');
    process.env.PATH = "/nonexistent";
    const attempt = ensureKafkaDistribution(() => {});
    await expect(attempt).rejects.toThrow(EnvironmentError);
    await expect(attempt).rejects.toThrow(`Kafka ${KAFKA_VERSION} is not in the cache`);
  });

  it("pins in versions.ts exactly what the pom resolves", () => {
    const pom = readFileSync(KAFKA_POM, "utf8");
    expect(pom).toContain(`<kafka.version>${KAFKA_VERSION}</kafka.version>`);
    expect(pom).toContain(`<zookeeper.version>${ZOOKEEPER_VERSION}</zookeeper.version>`);
    expect(pom).toContain(`<jmx-exporter.version>${JMX_EXPORTER_VERSION}</jmx-exporter.version>`);
  });
});
