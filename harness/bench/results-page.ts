import { formatCount } from "../core/format.ts";
import { type BenchFigures, benchRows } from "./report.ts";

/** When, where and how a bench run was taken: every row of docs/results.md says it beside its figure. */
export interface BenchRun {
  /** The day the run ended, YYYY-MM-DD. */
  date: string;
  machine: string;
  /** The command as typed, e.g. `npm run bench -- --only producer`. */
  command: string;
  loadAtStart: number;
  loadAtEnd: number;
}

/** The benches that own a table of docs/results.md, each between `<!-- bench:NAME:start/end -->` markers. */
export const RESULTS_TABLES = ["startup", "producer", "aggregator", "overhead", "lab-memory"] as const;
export type ResultsTable = (typeof RESULTS_TABLES)[number];

export const RESULTS_HEADERS = [
  "figure",
  "measured",
  "Kafka's tool, same run",
  "ratio",
  "aim",
  "date",
  "machine",
  "load",
  "command",
];

/** `npm run bench -- ARGS` as typed, quoting an argument only where a shell would need it. */
export function benchCommand(args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`));
  return quoted.length === 0 ? "npm run bench" : `npm run bench -- ${quoted.join(" ")}`;
}

/**
 * The rows each bench that ran contributes to its table: the figures `benchRows` prints, with the aim's
 * verdict beside the aim, exactness beside the figure, and the run's date, machine, load and command.
 */
export function resultsTables(figures: BenchFigures, run: BenchRun): Map<ResultsTable, string[][]> {
  const load = (what: string) =>
    `${what}; load average ${run.loadAtStart.toFixed(1)}–${run.loadAtEnd.toFixed(1)}`;
  const rounds = (events: number, n: number) =>
    `${formatCount(events)} events × ${n} round${n === 1 ? "" : "s"}`;
  const parts: [ResultsTable, BenchFigures, string | undefined][] = [
    [
      "startup",
      { startup: figures.startup },
      figures.startup && `${figures.startup[0]?.samplesMs.length ?? 0} starts of each stack`,
    ],
    [
      "producer",
      { producer: figures.producer },
      figures.producer && rounds(figures.producer.events, figures.producer.rounds),
    ],
    [
      "aggregator",
      { aggregator: figures.aggregator },
      figures.aggregator &&
        rounds(figures.aggregator.events, figures.aggregator.cases[0]?.ours.samplesPerSec.length ?? 0),
    ],
    [
      "overhead",
      { overhead: figures.overhead },
      figures.overhead && rounds(figures.overhead.events, figures.overhead.on.samplesPerSec.length),
    ],
    [
      "lab-memory",
      { labMemory: figures.labMemory },
      figures.labMemory &&
        `${formatCount(figures.labMemory.run.events)} events, then ${formatCount(figures.labMemory.scheduledRatePerSec)}/s for ${(figures.labMemory.scheduledDurationMs / 1000).toFixed(0)} s (no Kafka)`,
    ],
  ];
  const tables = new Map<ResultsTable, string[][]>();
  for (const [name, only, what] of parts) {
    if (what === undefined) continue;
    const rows = benchRows(only).map(
      ([figure = "", measured = "", kafka = "", ratio = "", aim = "", met = "", exact = ""]) => [
        figure,
        exact ? `${measured}, exact ${exact}` : measured,
        kafka,
        ratio,
        `${aim} ${met}`.trim(),
        run.date,
        run.machine,
        load(what),
        `\`${run.command}\``,
      ],
    );
    tables.set(name, rows);
  }
  return tables;
}

const markers = (name: string) => [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`] as const;

/** A markdown table row's cells, `\|` read back as `|`. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll("\\|", "|"));
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (row: readonly string[]) => `| ${row.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}

/**
 * The page with each given table brought up to date: a row whose figure was measured again is replaced in
 * its place, a new figure is added at the end, and the rows of figures this run did not measure stay as they
 * were, with their own dates. Everything outside the markers is left alone.
 */
export function updateResultsPage(
  page: string,
  tables: ReadonlyMap<string, readonly (readonly string[])[]>,
): string {
  let text = page;
  for (const [name, fresh] of tables) {
    const [start, end] = markers(name);
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new Error(
        `the results page has no ${start} … ${end} block for the ${name} bench's table; add the two markers where the table belongs`,
      );
    }
    const block = text.slice(from + start.length, to);
    const lines = block.split("\n").filter((l) => l.trim().startsWith("|"));
    const rows = new Map(
      lines
        .slice(2)
        .map((l) => cells(l))
        .map((row) => [row[0] ?? "", row] as const),
    );
    for (const row of fresh) rows.set(row[0] ?? "", [...row]);
    const table = markdownTable(RESULTS_HEADERS, [...rows.values()]);
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
  }
  return text;
}
