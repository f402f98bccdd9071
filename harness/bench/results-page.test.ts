import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LabMemoryBench } from "./lab-memory.ts";
import {
  type BenchRun,
  benchCommand,
  RESULTS_HEADERS,
  RESULTS_TABLES,
  resultsTables,
  updateResultsPage,
} from "./results-page.ts";

const run: BenchRun = {
  date: "2026-12-08",
  machine: "AMD EPYC, 2 cores, 24 GiB",
  command: "npm run bench -- --only startup lab-memory",
  loadAtStart: 1.25,
  loadAtEnd: 2.5,
};

const labMemory: LabMemoryBench = {
  run: { events: 300_000, heapKeptBytesPerEvent: -0.62, rssGrowthBytesPerEvent: 1 },
  aimRunBytesPerEvent: 3,
  scheduledSendLoopBytesPerEvent: 12,
  scheduledRatePerSec: 5_000,
  scheduledDurationMs: 8_000,
  aimScheduledBytesPerEvent: 10,
};

const tables = resultsTables(
  { startup: [{ brokers: 1, samplesMs: [6_000, 8_000], medianMs: 7_000, aimMs: 15_000 }], labMemory },
  run,
);

const page = (rows: string) => `# Results

Hand-written text stays.

<!-- bench:startup:start -->
| ${RESULTS_HEADERS.join(" | ")} |
|${RESULTS_HEADERS.map(() => " --- ").join("|")}|
${rows}
<!-- bench:startup:end -->

<!-- bench:lab-memory:start -->
<!-- bench:lab-memory:end -->

More hand-written text.
`;

describe("resultsTables", () => {
  it("gives only the benches that ran a table, each row with its date, machine, load and command", () => {
    expect([...tables.keys()]).toEqual(["startup", "lab-memory"]);
    expect(tables.get("startup")).toEqual([
      [
        "start to ready, 1 broker",
        "7.0 s median",
        "",
        "",
        "< 15.0 s ✔",
        "2026-12-08",
        "AMD EPYC, 2 cores, 24 GiB",
        "2 starts of each stack; load average 1.3–2.5",
        "`npm run bench -- --only startup lab-memory`",
      ],
    ]);
    expect(tables.get("lab-memory")?.map((r) => [r[0], r[1], r[4], r[7]])).toEqual([
      [
        "lab heap kept per event (send loop, ledger, observer)",
        "-0.62 B/event",
        "< 3 B ✔",
        "300,000 events, then 5,000/s for 8 s (no Kafka); load average 1.3–2.5",
      ],
      [
        "lab heap kept per event (scheduled send loop)",
        "12 B/event",
        "< 10 B ✘",
        "300,000 events, then 5,000/s for 8 s (no Kafka); load average 1.3–2.5",
      ],
    ]);
  });
});

describe("updateResultsPage", () => {
  const oldRow = (figure: string, date: string) =>
    `| ${figure} | 9.9 s median |  |  | < 15.0 s ✔ | ${date} | Intel Xeon, 2 cores, 24 GiB | 2 starts of each stack | \`npm run bench\` |`;

  it("replaces a figure measured again in its place, keeps the others with their dates, and leaves the text alone", () => {
    const before = page(
      [
        oldRow("start to ready, 3 brokers", "2026-11-25"),
        oldRow("start to ready, 1 broker", "2026-11-25"),
      ].join("\n"),
    );
    const after = updateResultsPage(before, tables);
    const startup = after.slice(
      after.indexOf("<!-- bench:startup:start -->"),
      after.indexOf("<!-- bench:startup:end -->"),
    );
    const rows = startup.split("\n").filter((l) => l.startsWith("| start to ready"));
    expect(rows).toEqual([
      oldRow("start to ready, 3 brokers", "2026-11-25"),
      "| start to ready, 1 broker | 7.0 s median |  |  | < 15.0 s ✔ | 2026-12-08 | AMD EPYC, 2 cores, 24 GiB | 2 starts of each stack; load average 1.3–2.5 | `npm run bench -- --only startup lab-memory` |",
    ]);
    expect(after).toContain("Hand-written text stays.");
    expect(after).toContain("More hand-written text.");
    expect(after).toMatch(
      /<!-- bench:lab-memory:start -->\n\| figure \|[^\n]*\n\|[ -|]+\n\| lab heap kept per event \(send loop/,
    );
  });

  it("gives the same page when the same figures are written twice", () => {
    const once = updateResultsPage(page(""), tables);
    expect(updateResultsPage(once, tables)).toBe(once);
  });

  it("keeps a | inside a cell as one cell", () => {
    const piped = new Map([["startup", [["start to ready, 1 broker", "a | b", "", "", "", "", "", "", ""]]]]);
    const once = updateResultsPage(page(""), piped);
    expect(once).toContain("| a \\| b |");
    expect(updateResultsPage(once, piped)).toBe(once);
  });

  it("refuses a page without the bench's markers, saying what to add", () => {
    expect(() => updateResultsPage("# Results\n", tables)).toThrow(
      /<!-- bench:startup:start -->.*add the two markers/,
    );
  });

  it("finds a block for every bench's table in docs/results.md", () => {
    const results = readFileSync(join(import.meta.dirname, "../../docs/results.md"), "utf8");
    const every = new Map(RESULTS_TABLES.map((name) => [name, [] as string[][]]));
    expect(() => updateResultsPage(results, every)).not.toThrow();
    // Written back with nothing new, the page as committed is what the bench would write.
    expect(updateResultsPage(results, every)).toBe(results);
  });
});

describe("benchCommand", () => {
  it("gives the command as typed, quoting only what a shell would split", () => {
    expect(benchCommand([])).toBe("npm run bench");
    expect(benchCommand(["--only", "producer", "--events", "300000"])).toBe(
      "npm run bench -- --only producer --events 300000",
    );
    expect(benchCommand(["--json", "my file.json"])).toBe("npm run bench -- --json 'my file.json'");
  });
});
