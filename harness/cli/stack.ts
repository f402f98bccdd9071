import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { EXIT_CODES, exitCodeFor, formatError } from "../core/errors.ts";
import { startLocalStack } from "../infra/local/local-stack.ts";
import { onShutdownSignal } from "../infra/local/process.ts";
import { ensureKafkaDistribution } from "../infra/local/provision.ts";
import { roundTrip } from "../infra/round-trip.ts";
import { KAFKA_VERSION } from "../infra/versions.ts";

/**
 * `npm run stack -- up` starts the local stack and keeps it until Ctrl-C (for soak runs with Grafana or
 * Prometheus open); `npm run stack -- check` starts it, round-trips records through a topic and stops;
 * `npm run stack -- fetch` only fills the download cache.
 */
async function main(): Promise<number> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName("npm run stack --")
    .command("up", "start the local stack and keep it running until Ctrl-C")
    .command("check", "start the local stack, send and read back records, stop")
    .command("fetch", "only download Kafka and the JMX exporter into the cache (CI, offline preparation)")
    .demandCommand(1, "say what to do: up, check or fetch")
    .option("brokers-count", { choices: [1, 3] as const, default: 1 as 1 | 3, describe: "brokers to start" })
    .option("kraft", { type: "boolean", default: false, describe: "KRaft mode instead of ZooKeeper" })
    .option("prometheus", { type: "boolean", default: true, describe: "start Prometheus too" })
    .option("secure", {
      type: "boolean",
      default: false,
      describe: "add SASL_PLAINTEXT (PLAIN, SCRAM) and SSL listeners, with a throwaway user and CA",
    })
    .strict()
    .help()
    .parseAsync();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (argv._[0] === "fetch") {
    const dist = await ensureKafkaDistribution(log);
    log(`Kafka ${KAFKA_VERSION} is cached: ${dist.libDir}`);
    return EXIT_CODES.pass;
  }
  const started = performance.now();
  const stack = await startLocalStack({
    brokers: argv["brokers-count"],
    kraft: argv.kraft,
    prometheus: argv.prometheus,
    secureListeners: argv.secure,
    log,
  });
  log(
    `ready in ${((performance.now() - started) / 1000).toFixed(1)} s; logs: ${Object.values(stack.logFiles())[0]?.replace(/\/[^/]+$/, "")}`,
  );
  try {
    if (argv._[0] === "check") {
      const topic = `lab-check-${Date.now()}`;
      const values = await roundTrip(stack.connection(), {
        topic,
        count: 100,
        partitions: 3,
        replicationFactor: stack.replicationFactor(),
      });
      log(`round trip: sent 100 records to ${topic} and read ${values.length} back`);
      return EXIT_CODES.pass;
    }
    const secure = stack.secureEndpoints();
    // The password stays in its file: what is printed may end up in a terminal log.
    const secured = secure && {
      sasl: secure.sasl,
      ssl: secure.ssl,
      caFile: secure.caFile,
      username: secure.user.name,
      passwordFile: secure.passwordFile,
    };
    process.stdout.write(
      `${JSON.stringify({ bootstrapServers: stack.bootstrapServers(), prometheusUrl: stack.prometheusUrl(), ...(secured ? { secure: secured } : {}) })}\n`,
    );
    log("press Ctrl-C to stop");
    onShutdownSignal(() => stack.stop());
    // Children do not keep the event loop alive, so this does until the signal ends the process.
    setInterval(() => {}, 60_000);
    await new Promise(() => {});
    return EXIT_CODES.pass;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exit(exitCodeFor(error));
  },
);
