import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { systemClock } from "../core/clock.ts";
import { EXIT_CODES, exitCodeFor, formatError, UsageError } from "../core/errors.ts";
import { startLocalStack } from "../infra/local/local-stack.ts";
import { onShutdownSignal } from "../infra/local/process.ts";
import { ensureKafkaDistribution, REPO_ROOT } from "../infra/local/provision.ts";
import type { StartedStack } from "../infra/types.ts";
import { KAFKA_VERSION } from "../infra/versions.ts";
import { benchAggregator } from "./aggregator.ts";
import { benchLabMemory } from "./lab-memory.ts";
import { benchOverhead } from "./lab-overhead.ts";
import { benchProducer } from "./producer.ts";
import { type BenchFigures, benchNotes, benchRows, busyMachineNote, TABLE_HEADERS } from "./report.ts";
import { benchCommand, resultsTables, updateResultsPage } from "./results-page.ts";
import { benchStartup } from "./startup.ts";
import { formatTable } from "./table.ts";

const BENCHES = ["startup", "producer", "aggregator", "overhead", "lab-memory"] as const;
/** The benches that share one broker. */
const ON_ONE_BROKER = new Set<string>(["producer", "aggregator", "overhead"]);

/** The command line, checked: every count a whole number of at least its least. */
async function parseArgs() {
  const argv = await yargs(hideBin(process.argv))
    .scriptName("npm run bench --")
    .usage("$0 [options]\n\nDefault run: about 4 minutes on 2 cores.")
    .option("only", {
      choices: BENCHES,
      array: true,
      default: [...BENCHES],
      describe: "benches to run",
    })
    .option("events", {
      type: "number",
      default: 300_000,
      describe: "events for the producer, aggregator and overhead benches",
    })
    .option("startup-repeats", { type: "number", default: 2, describe: "starts of each stack shape" })
    .option("rounds", {
      type: "number",
      default: 3,
      describe: "rounds of each alternating comparison with Kafka's tools",
    })
    .option("producers", {
      type: "number",
      default: 2,
      describe: "driver processes of the extra producer contender on the fastest client (1: none)",
    })
    .option("json", {
      type: "string",
      describe: "file to write the figures to [default: reports/bench/<time>.json]",
    })
    .option("results", {
      type: "boolean",
      default: true,
      describe:
        "update the tables of the benches run in docs/results.md (--no-results: leave the page alone)",
    })
    .strict()
    .help()
    .parseAsync();
  for (const [flag, value, least] of [
    ["--events", argv.events, 1_000],
    ["--startup-repeats", argv["startup-repeats"], 1],
    ["--rounds", argv.rounds, 1],
    ["--producers", argv.producers, 1],
  ] as const) {
    if (!(Number.isInteger(value) && value >= least)) {
      throw new UsageError(`${flag} must be a whole number of at least ${least}, got ${value}`);
    }
  }
  return argv;
}

type Args = Awaited<ReturnType<typeof parseArgs>>;
type Out = (line?: string) => void;

interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kafka: string;
}

function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafka: KAFKA_VERSION,
  };
}

/** Runs the benches asked for; those that share one broker get one stack, stopped however they end. */
async function runBenches(argv: Args, log: (line: string) => void): Promise<BenchFigures> {
  const only = new Set(argv.only);
  const figures: BenchFigures = {};
  if (only.has("startup")) figures.startup = await benchStartup(argv["startup-repeats"], log);
  if ([...only].some((bench) => ON_ONE_BROKER.has(bench))) {
    const logDir = mkdtempSync(join(tmpdir(), "lab-bench-"));
    log(
      `starting 1 broker + ZooKeeper for the ${[...only].filter((b) => ON_ONE_BROKER.has(b)).join(", ")} bench(es); tool and consumer logs in ${logDir}`,
    );
    const dist = await ensureKafkaDistribution(log);
    let stack: StartedStack | undefined;
    onShutdownSignal(async () => stack?.stop());
    stack = await startLocalStack({ brokers: 1, kraft: false, prometheus: false, log });
    try {
      const context = { stack, dist, logDir, log };
      if (only.has("producer"))
        figures.producer = await benchProducer(context, argv.events, argv.rounds, argv.producers);
      if (only.has("aggregator"))
        figures.aggregator = await benchAggregator(context, argv.events, argv.rounds);
      if (only.has("overhead")) figures.overhead = await benchOverhead(context, argv.events, argv.rounds);
    } finally {
      await stack.stop();
    }
  }
  if (only.has("lab-memory")) figures.labMemory = await benchLabMemory(log);
  return figures;
}

/** What the run was: where, when, by which command, how busy the machine was and for how long. */
interface RunRecord {
  machine: Machine;
  date: string;
  command: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  elapsedMs: number;
}

/** The table and its notes on stdout. */
function printFigures(figures: BenchFigures, run: RunRecord, out: Out): void {
  out();
  out(formatTable(TABLE_HEADERS, benchRows(figures)));
  out();
  const busy = busyMachineNote(run.loadAtStart[0] ?? 0, run.loadAtEnd[0] ?? 0, run.machine.cores);
  for (const note of [...benchNotes(figures), ...(busy ? [busy] : [])]) out(`- ${note}`);
  out(
    `- load average at end (1/5/15 min): ${run.loadAtEnd.map((l) => l.toFixed(2)).join(" / ")}; run took ${(run.elapsedMs / 1000).toFixed(0)} s`,
  );
}

/** The figures as JSON, to --json or a file named by the time under reports/bench/. */
function writeJson(figures: BenchFigures, run: RunRecord, argv: Args, out: Out): void {
  const all = { ...run, elapsedMs: Math.round(run.elapsedMs), ...figures };
  const jsonFile = resolve(
    argv.json ??
      join(REPO_ROOT, "reports", "bench", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
  );
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(all, null, 2)}\n`);
  out(`- figures as JSON: ${jsonFile}`);
}

/** Replaces the tables of the benches run in docs/results.md. */
function updateResults(figures: BenchFigures, run: RunRecord, out: Out): void {
  const { machine } = run;
  const page = join(REPO_ROOT, "docs", "results.md");
  const tables = resultsTables(figures, {
    date: run.date,
    machine: `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB`,
    command: run.command,
    loadAtStart: run.loadAtStart[0] ?? 0,
    loadAtEnd: run.loadAtEnd[0] ?? 0,
  });
  writeFileSync(page, updateResultsPage(readFileSync(page, "utf8"), tables));
  out(`- tables updated in ${page}: ${[...tables.keys()].join(", ")} (git diff shows what changed)`);
}

/**
 * `npm run bench`: prints speed figures, each beside a reference taken in the same run on the same
 * machine (Kafka's own perf tools), since absolute numbers on a small shared machine mean little.
 * Progress goes to stderr; the table, notes and a closing JSON line to stdout.
 */
async function main(): Promise<number> {
  const argv = await parseArgs();
  const began = systemClock.monotonic();
  const log = (line: string) =>
    process.stderr.write(`[+${((systemClock.monotonic() - began) / 1000).toFixed(0)} s] ${line}\n`);
  const out: Out = (line = "") => process.stdout.write(`${line}\n`);
  const loadAtStart = loadavg();
  const machine = describeMachine();
  out(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; Kafka ${machine.kafka}`,
  );
  out(`load average at start (1/5/15 min): ${loadAtStart.map((l) => l.toFixed(2)).join(" / ")}`);

  const figures = await runBenches(argv, log);

  const run: RunRecord = {
    machine,
    date: new Date(systemClock.now()).toISOString().slice(0, 10),
    command: benchCommand(process.argv.slice(2)),
    loadAtStart,
    loadAtEnd: loadavg(),
    elapsedMs: systemClock.monotonic() - began,
  };
  printFigures(figures, run, out);
  writeJson(figures, run, argv, out);
  if (argv.results) updateResults(figures, run, out);
  const inexact = figures.aggregator?.cases.some((c) => c.problems.length > 0) ?? false;
  return inexact ? EXIT_CODES.thresholdFailed : EXIT_CODES.pass;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exit(exitCodeFor(error));
  },
);
