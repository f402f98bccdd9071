import { formatCount, formatMeasured, formatRate } from "../core/format.ts";
import { statusTimeline } from "../observe/throttle-figures.ts";
import type { RunResult } from "../result/types.ts";
import { describeLocales, exactnessRows, localeSummary } from "./exactness-table.ts";
import { pauseHeaders, pauseRows, THROTTLE_HEADERS, throttleRows } from "./fault-effects.ts";
import {
  baselineExpectation,
  describeConfig,
  describeEnvironment,
  FAULT_HEADER,
  faultCells,
  faultRow,
  keyFigures,
} from "./figures.ts";
import { describeGap, MEMORY_HEADERS, memoryRows, VERDICT_LABEL } from "./gaps-memory.ts";
import { URP_HEADERS, urpRows } from "./urp-table.ts";

const mark = (pass: boolean | null): string => (pass === null ? "" : pass ? "✅" : "❌");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\r?\n/g, " ");
}

function table(header: string[], align: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

function exactness(result: RunResult): string[] {
  const rows = exactnessRows(result).map((r) => [
    r.label,
    formatCount(r.ledger),
    formatCount(r.recount),
    formatCount(r.aggregates),
    mark(r.equal),
  ]);
  return [
    "## Exactness",
    "",
    ...table(
      ["", "Ledger (sent)", "Recount (input topic)", "Aggregates", "Equal"],
      ["---", "---:", "---:", "---:", ":---:"],
      rows,
    ),
    "",
    `Locales: ${describeLocales(localeSummary(result))}.`,
  ];
}

function assertions(result: RunResult): string[] {
  const passed = result.assertions.filter((a) => a.pass).length;
  const rows = result.assertions.map((a) => [mark(a.pass), a.name, a.expected, a.observed, a.detail ?? ""]);
  return [
    `## Assertions (${passed}/${result.assertions.length} passed)`,
    "",
    ...table(
      ["", "Assertion", "Expected", "Observed", "Detail"],
      [":---:", "---", "---", "---", "---"],
      rows,
    ),
  ];
}

function faults(result: RunResult): string[] {
  if (result.faults.length === 0) return ["## Faults", "", "No faults were injected."];
  const rows = result.faults.map((f) => faultCells(faultRow(f)));
  const urp = urpRows(result);
  return [
    "## Faults",
    "",
    ...table(FAULT_HEADER, ["---:", "---", "---", "---", "---"], rows),
    ...(urp.length === 0
      ? []
      : [
          "",
          "## Under-replicated partitions after each broker outage",
          "",
          ...table(URP_HEADERS, ["---", "---", "---:", "---:", "---:", "---", "---:", "---:"], urp),
        ]),
  ];
}

function faultEffects(result: RunResult): string[] {
  const throttles = throttleRows(result);
  const pauses = pauseRows(result);
  return [
    ...(throttles.length === 0
      ? []
      : [
          "## Throttles",
          "",
          ...table(THROTTLE_HEADERS, ["---", "---:", "---:", "---:", "---:", "---:", "---"], throttles),
          "",
          ...(result.throttles ?? []).map((f) => `Lag status over the run: ${cell(statusTimeline(f))}`),
        ]),
    ...(throttles.length > 0 && pauses.length > 0 ? [""] : []),
    ...(pauses.length === 0
      ? []
      : [
          "## Rebalance pauses",
          "",
          ...table(pauseHeaders(result), ["---:", "---", "---:", "---:", "---:", "---:", "---"], pauses),
        ]),
  ];
}

function gapsAndMemory(result: RunResult): string[] {
  const gaps = result.series.gaps ?? [];
  const memory = memoryRows(result);
  return [
    ...(gaps.length === 0
      ? []
      : ["## Not measured", "", ...gaps.map((g) => `- ${cell(describeGap(g))}`), ""]),
    ...(memory.length === 0
      ? []
      : [
          `## Memory (fitted from ${result.memory?.steadyFromS ?? 0} s)`,
          "",
          ...table(MEMORY_HEADERS, ["---", "---:", "---:", "---:", "---:"], memory),
        ]),
  ];
}

function rateSearch(search: NonNullable<RunResult["rateSearch"]>): string[] {
  const rows = search.steps.map((s) => [formatRate(s.ratePerSec), s.sustained ? "yes" : "no", s.reason]);
  return [
    "## Rate search",
    "",
    `Found **${formatRate(search.foundRatePerSec)}** · held ${formatRate(search.heldRatePerSec)}`,
    "",
    ...(search.limit ? [`Limited by **${search.limit.by}**: ${search.limit.evidence}`, ""] : []),
    ...table(["Rate", "Sustained", "Reason"], ["---:", ":---:", "---"], rows),
  ];
}

function baseline(comparison: NonNullable<RunResult["baseline"]>): string[] {
  const rows = comparison.comparisons.map((c) => [
    mark(c.pass),
    c.metric,
    formatMeasured(c.baseline),
    formatMeasured(c.current),
    baselineExpectation(c),
  ]);
  return [
    "## Baseline comparison",
    "",
    `Compared with \`${comparison.file}\`.`,
    "",
    ...table(["", "Metric", "Baseline", "Current", "Allowed"], [":---:", "---", "---:", "---:", "---"], rows),
  ];
}

function links(result: RunResult): string[] {
  const items = [
    result.links.prometheus ? `- Prometheus: ${result.links.prometheus}` : "",
    result.links.grafana ? `- Grafana: ${result.links.grafana}` : "",
  ].filter(Boolean);
  return items.length === 0 ? [] : ["## Links", "", ...items];
}

/** summary.md: the verdict and every figure a reviewer needs, readable in a terminal or a pull request. */
export function renderMarkdown(result: RunResult): string {
  const icon = { pass: "✅", fail: "❌", interrupted: "⏹" }[result.verdict];
  const verdict = `${icon} ${VERDICT_LABEL[result.verdict]}`;
  const sections = [
    [
      `# ${verdict}: ${cell(result.scenario.name)}`,
      "",
      `> ${cell(result.scenario.description)}`,
      "",
      `**Config:** ${cell(describeConfig(result))}  `,
      `**Environment:** ${cell(describeEnvironment(result))}`,
    ],
    [
      "## Key figures",
      "",
      ...table(
        ["Figure", "Value"],
        ["---", "---:"],
        keyFigures(result).map((f) => [f.label, f.value]),
      ),
    ],
    exactness(result),
    assertions(result),
    faults(result),
    faultEffects(result),
    gapsAndMemory(result),
    result.rateSearch ? rateSearch(result.rateSearch) : [],
    result.baseline ? baseline(result.baseline) : [],
    links(result),
  ];
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join("\n"))
    .join("\n\n")}\n`;
}
