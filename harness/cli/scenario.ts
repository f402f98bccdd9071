import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { SASL_MECHANISMS } from "../../pipeline/kafka/client.ts";
import { CLIENT_NAMES } from "../../pipeline/kafka/record-producer.ts";
import { EXIT_CODES, exitCodeFor, formatError, UsageError } from "../core/errors.ts";
import { formatMeasured } from "../core/format.ts";
import { onShutdownSignal } from "../infra/local/process.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";
import type { ProviderName } from "../infra/types.ts";
import { readReport, renderJson } from "../report/json.ts";
import { defaultReportDir, writeReports } from "../report/write.ts";
import type { RunResult } from "../result/types.ts";
import { ProgressPrinter } from "../run/progress.ts";
import { runScenario } from "../run/runner.ts";
import { applyOverrides } from "../scenario/overrides.ts";
import { listScenarioSummaries, resolveScenario } from "../scenario/registry.ts";
import type { Scenario } from "../scenario/types.ts";
import { baselineMismatches, baselinePath, compareWithBaseline } from "../verify/baseline.ts";
import { producersFrom } from "./producers-flag.ts";
import { driverCommandFrom, EXTERNAL_ONLY, externalFrom, overridesFrom, seedsFrom } from "./scenario-args.ts";
import { type SeedOutcome, seedLine, seedsVerdict } from "./seeds-summary.ts";
import { writeK6Script } from "./write-k6.ts";

function cli(argv: string[]) {
  const command = yargs(argv)
    .scriptName("npm run scenario --")
    .usage(
      "$0 <name> [options]\n\nRuns a load scenario against the login pipeline and checks the aggregates are exact.",
    )
    .command("$0 [name]", false)
    .positional("name", {
      type: "string",
      describe: "scenario to run (see --list), or the path of a scenario file",
    })
    .option("list", { type: "boolean", describe: "list the scenarios, one per line" });
  return (
    reportFlags(stackFlags(scenarioFlags(command)))
      // One column each (an empty description): yargs would squeeze a command into half the width.
      .example("$0 smoke   # the one-minute end-to-end check", "")
      .example("$0 high-load --brokers-count 3   # the top sustained rate on 3 brokers", "")
      .example("$0 baseline --baseline reports/baselines/baseline.json   # fail on a regression", "")
      .example("$0 chaos --seeds 1..20   # the nemesis, once per seed; replay one with --seed N", "")
      .strict()
      .version(false)
      .help()
      .wrap(HELP_WIDTH)
      .exitProcess(false)
      .fail((message, error) => {
        throw new UsageError(
          describeYargsFailure(message ?? error?.message),
          "see npm run scenario -- --help",
        );
      })
  );
}

/** What a run may change of its scenario, and the load driver. */
function scenarioFlags<T>(argv: Argv<T>) {
  return (
    argv
      .group(
        [
          "rate",
          "duration",
          "partitions",
          "consumers",
          "brokers-count",
          "seed",
          "seeds",
          "malformed",
          "window",
        ],
        "Scenario overrides:",
      )
      // Values are read as text with exactly one argument each: `--duration -5s` is a value, not flags -5 -s,
      // and a bad value is quoted back as typed (yargs would turn `--rate banana` into NaN).
      .options({
        rate: value("target events/s (the peak, for ramp/step/spike profiles)"),
        duration: value("load duration, e.g. 90s, 5m, 1m30s, 1h"),
        partitions: value("partitions of user-login"),
        consumers: value("aggregator processes"),
        "brokers-count": value("1 or 3 brokers (local, testcontainers)"),
        seed: value("seed of the event generator (and of a nemesis's faults: chaos)"),
        seeds: value("run a nemesis scenario once per seed of FIRST..LAST, e.g. 1..20; each its own reports"),
        malformed: value("share of malformed events, 0..1, e.g. 0.02"),
        window: value("aggregation window, e.g. 20s (at most the scenario's drain timeout)"),
      })
      .option("client", {
        choices: CLIENT_NAMES,
        describe: "Kafka client of the load driver (default: librdkafka where it is built, else kafkajs)",
      })
      .option("producers", value("load driver processes, each sending its share of the schedule (default 1)"))
  );
}

/** What runs Kafka, the aggregators and the load. */
function stackFlags<T>(argv: Argv<T>) {
  return argv
    .group(["provider", "kraft", ...EXTERNAL_ONLY], "Stack:")
    .option("provider", {
      choices: ["local", "testcontainers", "external"] as const,
      default: "local" as ProviderName,
      describe: "what runs Kafka",
    })
    .option("kraft", { type: "boolean", describe: "KRaft instead of ZooKeeper (local, testcontainers)" })
    .options({
      brokers: value("external: the cluster's bootstrap servers, host:port,…"),
      "sasl-mechanism": value(`external: SASL mechanism, ${SASL_MECHANISMS.join(", ")}`),
      "sasl-username": value("external: SASL user name"),
      "sasl-password-file": value("external: file holding the SASL password (or set LAB_SASL_PASSWORD)"),
      "sasl-password": { ...value(""), hidden: true },
    })
    .option("tls", { type: "boolean", describe: "external: connect with TLS" })
    .option("tls-ca", value("external: PEM file of the CA to trust (implies --tls)"))
    .option("tls-insecure", { type: "boolean", describe: "external: TLS without checking the certificate" })
    .option("prometheus-url", value("external: a Prometheus that scrapes the cluster"))
    .option("grafana-url", value("external: its Grafana; the reports link to the run's time range"))
    .option("aggregator-client", {
      choices: CLIENT_NAMES,
      describe:
        "Kafka client of the pipeline's aggregator: kafkajs (default; fenced by a transactional id per partition) or librdkafka (KIP-447)",
    })
    .option(
      "consumer-command",
      value(
        "run this shell command as each aggregator instead of the pipeline's; it gets KAFKA_BROKERS, CONSUMER_GROUP, … (docs/aggregator-contract.md)",
      ),
    )
    .option("driver", {
      choices: ["lab", "external"] as const,
      describe: "what writes the load: the lab's own driver (default), or --driver-command",
    })
    .option(
      "driver-command",
      value(
        "with --driver external: run this shell command as the load driver; it gets KAFKA_BROKERS, TOPIC, RATE, DURATION_S, … and the ledger is the recount of the topic (docs/driver-contract.md)",
      ),
    )
    .option(
      "write-k6",
      value(
        'write a k6 script (TypeScript, for k6 with xk6-kafka) of the scenario\'s load to FILE.ts and exit; run it with --driver external --driver-command "k6 run FILE.ts"',
      ),
    );
}

/** Where the reports go, and the baseline they are held to. */
function reportFlags<T>(argv: Argv<T>) {
  return argv
    .group(["report-dir", "baseline", "save-baseline", "json"], "Reports:")
    .option("report-dir", value("where to write the reports (default reports/<scenario>/<time>/)"))
    .option("baseline", value("an earlier report.json of the same configuration; a regression fails the run"))
    .option("save-baseline", {
      type: "boolean",
      describe: "save this run as reports/baselines/<scenario>.json",
    })
    .option("json", { type: "boolean", describe: "print report.json on stdout (progress goes to stderr)" });
}

/** Wide enough that the examples' paths stay whole, narrow enough for a 100-column terminal. */
const HELP_WIDTH = 100;

/** A flag whose value is text with exactly one argument, checked by scenario-args.ts. */
function value(describe: string) {
  return { type: "string", nargs: 1, requiresArg: true, describe } as const;
}

function describeYargsFailure(message: string | undefined): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(message ?? "");
  return missing ? `--${missing[1]} needs a value` : (message ?? "bad arguments");
}

async function main(): Promise<number> {
  const args = await cli(hideBin(process.argv)).parseAsync();
  if (args.help) return EXIT_CODES.pass;
  if (args.list) {
    const summaries = await listScenarioSummaries();
    const width = Math.max(12, ...summaries.map(({ name }) => name.length));
    for (const { name, summary } of summaries) process.stdout.write(`${name.padEnd(width)} ${summary}\n`);
    return EXIT_CODES.pass;
  }
  if (!args.name)
    throw new UsageError(
      "which scenario? give its name",
      "npm run scenario -- --list shows them; e.g. npm run scenario -- smoke",
    );
  // Every argument is checked before anything starts: no stack, no process, not even a log line.
  const external = externalFrom(args, process.env);
  const driverCommand = driverCommandFrom(args);
  const consumerCommand = args["consumer-command"];
  if (consumerCommand !== undefined && consumerCommand.trim() === "")
    throw new UsageError(
      "--consumer-command is empty",
      'give the command that starts your aggregator, e.g. "node my-aggregator.js"',
    );
  if (consumerCommand !== undefined && args["aggregator-client"] !== undefined)
    throw new UsageError(
      "--aggregator-client chooses the pipeline's aggregator's client; --consumer-command runs your aggregator instead, which would ignore it",
      "drop --aggregator-client, or drop --consumer-command",
    );
  const seeds = seedsFrom(args);
  const scenario = applyOverrides(await resolveScenario(args.name), overridesFrom(args));
  if (seeds) return runSeeds(args, scenario, seeds, { external, driverCommand, consumerCommand });
  if (args["write-k6"] !== undefined) {
    await writeK6Script(scenario, args["write-k6"]);
    return EXIT_CODES.pass;
  }
  const baseline = args.baseline ? await readBaseline(args.baseline, scenario) : undefined;
  const reportDir = resolve(
    args["report-dir"] ?? join(REPO_ROOT, defaultReportDir(scenario.name, new Date())),
  );
  const printer = new ProgressPrinter(process.stderr);
  const log = (line: string) => printer.log(line);
  let result = await runOnce(args, scenario, reportDir, printer, {
    external,
    driverCommand,
    consumerCommand,
  });

  if (baseline) {
    const comparisons = compareWithBaseline(result, baseline);
    result = {
      ...result,
      baseline: { file: resolve(args.baseline as string), comparisons },
      verdict:
        result.verdict !== "pass" ? result.verdict : comparisons.every((c) => c.pass) ? "pass" : "fail",
    };
  }
  const paths = await writeReports(result, reportDir);
  if (args["save-baseline"] && result.verdict !== "interrupted") {
    const file = join(REPO_ROOT, baselinePath(scenario.name));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, renderJson(result));
    log(`saved as the baseline for ${scenario.name}: ${file}`);
  }
  printVerdict(result, scenario, paths, log);
  if (args.json) process.stdout.write(renderJson(result));
  return exitCode(result);
}

type Args = Awaited<ReturnType<ReturnType<typeof cli>["parseAsync"]>>;
interface Commands {
  external: ReturnType<typeof externalFrom>;
  driverCommand: string | undefined;
  consumerCommand: string | undefined;
}

/** One run of `scenario`, its logs under `reportDir`; Ctrl-C stops its load and it returns what it measured. */
async function runOnce(
  args: Args,
  scenario: Scenario,
  reportDir: string,
  printer: ProgressPrinter,
  { external, driverCommand, consumerCommand }: Commands,
): Promise<RunResult> {
  const producers = producersFrom(args.producers, scenario.load);
  const abort = new AbortController();
  const run = runScenario({
    scenario,
    provider: args.provider,
    ...(external ? { external } : {}),
    ...(args.client ? { client: args.client } : {}),
    ...(args["aggregator-client"] ? { aggregatorClient: args["aggregator-client"] } : {}),
    producers,
    log: (line) => printer.log(line),
    progress: (line) => printer.update(line, Date.now()),
    logDir: join(reportDir, "logs"),
    signal: abort.signal,
    ...(consumerCommand ? { consumerCommand } : {}),
    ...(driverCommand ? { driverCommand } : {}),
  });
  // Ctrl-C: the run stops its load, drains briefly and returns what it measured; wait for the reports too
  // (with --seeds, for the summary: no further seed starts after an interrupted one).
  onShutdownSignal(async () => {
    abort.abort();
    await finished.catch(() => {});
  });
  return run;
}

function printVerdict(
  result: RunResult,
  scenario: Scenario,
  paths: Awaited<ReturnType<typeof writeReports>>,
  log: (line: string) => void,
): void {
  const failed = result.assertions.filter((a) => !a.pass);
  const regressions = result.baseline?.comparisons.filter((c) => !c.pass) ?? [];
  log("");
  log(
    `${result.verdict.toUpperCase()} ${scenario.name}: ${result.assertions.length - failed.length}/${result.assertions.length} assertions hold`,
  );
  for (const a of failed)
    log(`  ✗ ${a.name}: expected ${a.expected}, observed ${a.observed}${a.detail ? ` (${a.detail})` : ""}`);
  for (const c of regressions)
    log(
      `  ✗ regression in ${c.metric}: baseline ${formatMeasured(c.baseline)}, now ${formatMeasured(c.current)}`,
    );
  log(`reports: ${paths.html}`);
  log(`         ${paths.markdown}, ${paths.json}, ${paths.junit}`);
}

/** An interrupted run exits as the shell reports a SIGINT, whatever its assertions said. */
function exitCode(result: RunResult): number {
  if (result.verdict === "interrupted") return 130;
  return result.verdict === "pass" ? EXIT_CODES.pass : EXIT_CODES.thresholdFailed;
}

/** Flags that make sense for one run only. */
const SINGLE_RUN_ONLY = ["json", "baseline", "save-baseline", "write-k6"] as const;

/**
 * `--seeds A..B`: the nemesis scenario once per seed, each with its reports in `<report dir>/seed-N`, a line
 * per seed as it ends, then the seeds that failed and how to replay one. Ctrl-C ends the current seed and
 * runs no more.
 */
async function runSeeds(args: Args, base: Scenario, seeds: number[], commands: Commands): Promise<number> {
  if (!base.nemesis)
    throw new UsageError(
      `--seeds runs a nemesis scenario once per seed, and "${base.name}" has a fixed timeline: each seed would run the same faults`,
      `use --seeds with a scenario whose faults are { nemesis: {} } (e.g. chaos), or use --seed N for ${base.name}`,
    );
  const singleOnly = SINGLE_RUN_ONLY.filter((flag) => args[flag] !== undefined && args[flag] !== false);
  if (singleOnly.length > 0)
    throw new UsageError(
      `${singleOnly.map((f) => `--${f}`).join(", ")} ${singleOnly.length === 1 ? "is" : "are"} for one run, not for --seeds`,
      `drop ${singleOnly.map((f) => `--${f}`).join(" ")}, or replay one seed with --seed N`,
    );
  const root = resolve(args["report-dir"] ?? join(REPO_ROOT, defaultReportDir(base.name, new Date())));
  const printer = new ProgressPrinter(process.stderr);
  const log = (line: string) => printer.log(line);
  const outcomes: SeedOutcome[] = [];
  const lines: string[] = [];
  for (const seed of seeds) {
    const scenario = applyOverrides(base, { seed });
    log(`seed ${seed} (${outcomes.length + 1} of ${seeds.length}): ${scenario.faults.length} faults`);
    const reportDir = join(root, `seed-${seed}`);
    let result: RunResult;
    try {
      result = await runOnce(args, scenario, reportDir, printer, commands);
    } catch (error) {
      // A seed that could not run (the stack did not start, Ctrl-C while starting) ends the series; the
      // seeds before it keep their lines.
      for (const line of lines) log(line);
      log(`seed ${seed}: did not run; seeds after it were not run either`);
      throw error;
    }
    const paths = await writeReports(result, reportDir);
    printVerdict(result, scenario, paths, log);
    const outcome: SeedOutcome = {
      seed,
      verdict: result.verdict,
      failed: result.assertions.filter((a) => !a.pass).map((a) => a.name),
      report: paths.html,
    };
    outcomes.push(outcome);
    lines.push(seedLine(outcome));
    log(seedLine(outcome));
    if (result.verdict === "interrupted") break;
  }
  log("");
  for (const line of [...lines, ...seedsVerdict(outcomes, hideBin(process.argv))]) log(line);
  if (outcomes.some((o) => o.verdict === "interrupted")) return 130;
  return outcomes.every((o) => o.verdict === "pass") ? EXIT_CODES.pass : EXIT_CODES.thresholdFailed;
}

/** A baseline of another experiment would compare apples with pears: it is refused, naming what differs. */
async function readBaseline(file: string, scenario: Scenario): Promise<RunResult> {
  const baseline = await readReport(file);
  const differences = baselineMismatches(scenario, baseline);
  if (differences.length > 0)
    throw new UsageError(
      `--baseline ${file} is a run of another configuration:\n${differences.map((d) => `  ${d}`).join("\n")}`,
      `compare like with like: run with the baseline's settings, or save a baseline of this one with --save-baseline`,
    );
  return baseline;
}

const finished = main();
finished.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\n${formatError(error)}\n`);
    process.exit(exitCodeFor(error));
  },
);
