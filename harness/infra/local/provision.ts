import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvironmentError, LabError } from "../../core/errors.ts";
import { JMX_EXPORTER_VERSION, KAFKA_VERSION, MIN_JAVA_MAJOR } from "../versions.ts";
import { labHome } from "./run-registry.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const KAFKA_POM = join(REPO_ROOT, "infra/kafka/pom.xml");

export interface KafkaDistribution {
  /** Folder of jars for `java -cp '<libDir>/*'`: the broker, ZooKeeper, Kafka's tools and log4j. */
  libDir: string;
  jmxAgentJar: string;
  javaBin: string;
}

/** Parses the major version out of `java -version` output ("17.0.15", "1.8.0_392"). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

export function findJava(): string {
  const javaBin = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const probe = spawnSync(javaBin, ["-version"], { encoding: "utf8" });
  const install = `install openjdk-${MIN_JAVA_MAJOR}-jre-headless (apt-get install openjdk-${MIN_JAVA_MAJOR}-jre-headless), or use --provider testcontainers`;
  if (probe.error) {
    throw new EnvironmentError(
      `Java ${MIN_JAVA_MAJOR} or newer is needed to run Kafka locally, and "${javaBin}" was not found`,
      install,
      probe.error,
    );
  }
  const major = parseJavaMajor(`${probe.stderr}${probe.stdout}`);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new EnvironmentError(
      `Java ${MIN_JAVA_MAJOR} or newer is needed to run Kafka locally; "${javaBin}" is version ${major ?? "unknown"}`,
      `${install}; or point JAVA_HOME at a newer JDK`,
    );
  }
  return javaBin;
}

/** The cache folder is keyed by the pom's content, so a version bump fetches anew and nothing else does. */
export function distributionDir(): string {
  const pomHash = createHash("sha256").update(readFileSync(KAFKA_POM)).digest("hex").slice(0, 12);
  return join(labHome(), "dist", `kafka-${KAFKA_VERSION}-${pomHash}`);
}

function readyDistribution(dir: string, javaBin: string): KafkaDistribution | undefined {
  if (!existsSync(join(dir, ".complete"))) return undefined;
  return {
    libDir: join(dir, "lib"),
    jmxAgentJar: join(dir, "agent", `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`),
    javaBin,
  };
}

/**
 * Returns the cached Kafka jars and JMX exporter agent, resolving them with Maven from the pinned pom on
 * first use. A second call downloads nothing.
 */
export async function ensureKafkaDistribution(log: (line: string) => void): Promise<KafkaDistribution> {
  const javaBin = findJava();
  const dir = distributionDir();
  const cached = readyDistribution(dir, javaBin);
  if (cached) return cached;

  if (spawnSync("mvn", ["-v"], { encoding: "utf8" }).error) {
    throw new EnvironmentError(
      `Kafka ${KAFKA_VERSION} is not in the cache (${dir}) and Maven is not installed to fetch it`,
      "install Maven (apt-get install maven), or copy a filled cache folder from another machine and set LAB_HOME to its parent",
    );
  }
  log(
    `fetching Kafka ${KAFKA_VERSION}, ZooKeeper and the JMX exporter ${JMX_EXPORTER_VERSION} from Maven Central (first run only)…`,
  );
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  await runMaven(
    ["-DexcludeArtifactIds=jmx_prometheus_javaagent", `-DoutputDirectory=${join(staging, "lib")}`],
    log,
  );
  await runMaven(
    ["-DincludeArtifactIds=jmx_prometheus_javaagent", `-DoutputDirectory=${join(staging, "agent")}`],
    log,
  );
  const jars = readdirSync(join(staging, "lib")).length;
  writeFileSync(join(staging, ".complete"), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`cached ${jars} jars in ${dir}`);
  const ready = readyDistribution(dir, javaBin);
  if (!ready)
    throw new LabError("INTERNAL", `the Kafka cache at ${dir} is incomplete right after it was written`);
  return ready;
}

function runMaven(extraArgs: string[], log: (line: string) => void): Promise<void> {
  const args = ["-B", "dependency:copy-dependencies", "-f", KAFKA_POM, ...extraArgs];
  return new Promise((resolvePromise, reject) => {
    const child = spawn("mvn", args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    let downloaded = 0;
    let lastReport = 0;
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (line.includes("Downloaded from")) {
        downloaded += 1;
        const now = Date.now();
        if (now - lastReport > 2_000) {
          lastReport = now;
          log(`  … ${downloaded} files downloaded`);
        }
      }
    };
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      lines.forEach(onLine);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) {
        if (downloaded > 0) log(`  ${downloaded} files downloaded`);
        resolvePromise();
        return;
      }
      reject(
        new LabError(
          "PROVISION",
          `Maven could not fetch Kafka ${KAFKA_VERSION} (exit code ${code}):\n${tail.slice(-12).join("\n")}`,
          {
            hint: "check that Maven Central is reachable (a proxy needs ~/.m2/settings.xml), then run again; nothing partial is kept",
            retriable: true,
          },
        ),
      );
    });
  });
}
