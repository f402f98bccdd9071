import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { EXIT_CODES, exitCodeFor, formatError, UsageError } from "../core/errors.ts";
import { onShutdownSignal } from "../infra/local/process.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";
import type { ProviderName } from "../infra/types.ts";
import { baselinePath, compareWithBaseline } from "../report/baseline.ts";
import { readReport, renderJson } from "../report/json.ts";
import { defaultReportDir, writeReports } from "../report/write.ts";
import type { RunResult } from "../result/types.ts";
import { ProgressPrinter } from "../run/progress.ts";
import { runScenario } from "../run/runner.ts";
import { applyOverrides } from "../scenario/overrides.ts";
import { listScenarioSummaries, resolveScenario } from "../scenario/registry.ts";
import { externalFrom, overridesFrom } from "./scenario-args.ts";

function cli(argv: string[]) {
  return yargs(argv)
    .scriptName("npm run scenario --")
    .usage(
      "$0 <name> [options]\n\nRuns a load scenario against the login pipeline and checks the aggregates are exact.",
    )
    .command("$0 [name]", false)
    .positional("name", {
      type: "string",
      describe: "scenario to run (see --list), or the path of a scenario file",
    })
    .option("list", { type: "boolean", describe: "list the scenarios, one per line" })
    .group(
      ["rate", "duration", "partitions", "consumers", "brokers-count", "seed", "malformed", "window"],
      "Scenario overrides:",
    )
    .option("rate", { type: "number", describe: "target events/s (the peak, for ramp/step/spike profiles)" })
    .option("duration", { type: "string", describe: "load duration, e.g. 90s, 5m, 1h" })
    .option("partitions", { type: "number", describe: "partitions of user-login" })
    .option("consumers", { type: "number", describe: "aggregator processes" })
    .option("brokers-count", { type: "number", describe: "1 or 3 brokers (local provider)" })
    .option("seed", { type: "number", describe: "seed of the event generator" })
    .option("malformed", { type: "number", describe: "share of malformed events, 0..1, e.g. 0.02" })
    .option("window", { type: "string", describe: "aggregation window, e.g. 20s" })
    .group(
      [
        "provider",
        "kraft",
        "brokers",
        "sasl-mechanism",
        "sasl-username",
        "sasl-password",
        "tls",
        "tls-ca",
        "tls-insecure",
        "prometheus-url",
        "grafana-url",
      ],
      "Stack:",
    )
    .option("provider", {
      choices: ["local", "testcontainers", "external"] as const,
      default: "local" as ProviderName,
      describe: "what runs Kafka",
    })
    .option("kraft", { type: "boolean", describe: "KRaft instead of ZooKeeper (local, testcontainers)" })
    .option("brokers", { type: "string", describe: "external cluster: host:port,…" })
    .option("sasl-mechanism", {
      choices: ["plain", "scram-sha-256", "scram-sha-512"] as const,
      describe: "external cluster: SASL mechanism",
    })
    .option("sasl-username", { type: "string" })
    .option("sasl-password", { type: "string", describe: "or LAB_SASL_PASSWORD" })
    .option("tls", { type: "boolean", describe: "external cluster: connect with TLS" })
    .option("tls-ca", { type: "string", describe: "PEM file of the CA to trust" })
    .option("tls-insecure", { type: "boolean", describe: "do not verify the broker's certificate" })
    .option("prometheus-url", { type: "string", describe: "external: a Prometheus that scrapes the cluster" })
    .option("grafana-url", {
      type: "string",
      describe: "external: its Grafana; the reports link to the run's time range",
    })
    .group(["report-dir", "baseline", "save-baseline", "json"], "Reports:")
    .option("report-dir", {
      type: "string",
      describe: "where to write the reports (default reports/<scenario>/<time>/)",
    })
    .option("baseline", {
      type: "string",
      describe: "an earlier report.json to compare with; a regression fails the run",
    })
    .option("save-baseline", {
      type: "boolean",
      describe: "save this run as reports/baselines/<scenario>.json",
    })
    .option("json", { type: "boolean", describe: "print report.json on stdout (progress goes to stderr)" })
    .example("$0 smoke", "the one-minute end-to-end check")
    .example("$0 high-load --brokers-count 3", "search for the top sustained rate on 3 brokers")
    .example("$0 baseline --baseline reports/baselines/baseline.json", "fail on a regression")
    .strict()
    .version(false)
    .help()
    .wrap(110)
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(message ?? error?.message ?? "bad arguments", "see npm run scenario -- --help");
    });
}

async function main(): Promise<number> {
  const args = await cli(hideBin(process.argv)).parseAsync();
  if (args.help) return EXIT_CODES.pass;
  if (args.list) {
    for (const { name, summary } of await listScenarioSummaries())
      process.stdout.write(`${name.padEnd(12)} ${summary}\n`);
    return EXIT_CODES.pass;
  }
  if (!args.name)
    throw new UsageError(
      "which scenario? give its name",
      "npm run scenario -- --list shows them; e.g. npm run scenario -- smoke",
    );
  const scenario = applyOverrides(await resolveScenario(args.name), overridesFrom(args));
  const external = externalFrom(args, process.env);
  const baseline = args.baseline ? await readReport(args.baseline) : undefined;

  const startedAt = new Date();
  const reportDir = resolve(
    args["report-dir"] ?? join(REPO_ROOT, defaultReportDir(scenario.name, startedAt)),
  );
  const printer = new ProgressPrinter(process.stderr);
  const log = (line: string) => printer.log(line);
  const abort = new AbortController();
  const run = runScenario({
    scenario,
    provider: args.provider,
    ...(external ? { external } : {}),
    log,
    progress: (line) => printer.update(line, Date.now()),
    logDir: join(reportDir, "logs"),
    signal: abort.signal,
  });
  // Ctrl-C: the run stops its load, drains briefly and returns what it measured; wait for the reports too.
  onShutdownSignal(async () => {
    abort.abort();
    await finished.catch(() => {});
  });
  let result: RunResult = await run;

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
  const failed = result.assertions.filter((a) => !a.pass);
  const regressions = result.baseline?.comparisons.filter((c) => !c.pass) ?? [];
  log("");
  log(
    `${result.verdict.toUpperCase()} ${scenario.name}: ${result.assertions.length - failed.length}/${result.assertions.length} assertions hold`,
  );
  for (const a of failed)
    log(`  ✗ ${a.name}: expected ${a.expected}, observed ${a.observed}${a.detail ? ` (${a.detail})` : ""}`);
  for (const c of regressions) log(`  ✗ regression in ${c.metric}: baseline ${c.baseline}, now ${c.current}`);
  log(`reports: ${paths.html}`);
  log(`         ${paths.markdown}, ${paths.json}, ${paths.junit}`);
  if (args.json) process.stdout.write(renderJson(result));
  // An interrupted run exits as the shell reports a SIGINT, whatever its assertions said.
  if (result.verdict === "interrupted") return 130;
  return result.verdict === "pass" ? EXIT_CODES.pass : EXIT_CODES.thresholdFailed;
}

const finished = main();
finished.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\n${formatError(error)}\n`);
    process.exit(exitCodeFor(error));
  },
);
