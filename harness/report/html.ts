import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
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

const require = createRequire(import.meta.url);

/** uPlot and the chart script are inlined so the report opens offline, from a CI artifact or an e-mail. */
function assets(): { uplotJs: string; uplotCss: string; chartsJs: string } {
  const read = (path: string | URL) => readFileSync(path, "utf8");
  return {
    uplotJs: read(require.resolve("uplot/dist/uPlot.iife.min.js")),
    uplotCss: read(require.resolve("uplot/dist/uPlot.min.css")),
    chartsJs: read(new URL("./html-charts.js", import.meta.url)),
  };
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A script body may not contain `</script`; `<\/` means the same inside JavaScript strings and regexes. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

/** JSON inside a script tag: `<` as \u003c keeps `</script>` and `<!--` in the data from ending the tag. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

const e = escapeHtml;
/** A word in a coloured badge rather than an emoji: the report must read the same without an emoji font. */
function badge(pass: boolean | null, yes = "pass", no = "fail"): string {
  return pass === null ? "" : `<span class="badge ${pass ? "pass" : "fail"}">${pass ? yes : no}</span>`;
}

/** A table cell: text, escaped when rendered, or markup that is already safe. */
type Cell = string | { html: string };

function table(header: string[], rows: { cells: Cell[]; className?: string }[], numericFrom = 99): string {
  const align = (i: number) => (i >= numericFrom ? ' class="num"' : "");
  const th = header.map((h, i) => `<th${align(i)}>${e(h)}</th>`).join("");
  const tr = rows
    .map((r) => {
      const tds = r.cells
        .map((c, i) => `<td${align(i)}>${typeof c === "string" ? e(c) : c.html}</td>`)
        .join("");
      return `<tr${r.className ? ` class="${r.className}"` : ""}>${tds}</tr>`;
    })
    .join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function section(title: string, body: string): string {
  return `<section><h2>${e(title)}</h2>\n${body}\n</section>`;
}

const CHARTS: { name: string; title: string; needs?: (keyof RunResult["series"])[] }[] = [
  { name: "rate", title: "Rate: target, achieved, aggregated" },
  { name: "lag", title: "Consumer lag: offsets and seconds" },
  { name: "latency", title: "Latency: end-to-end p50/p99 and send delay p99" },
  {
    name: "broker",
    title: "Broker: messages, bytes, under-replicated partitions",
    needs: ["brokerMessagesInRate", "brokerBytesInRate", "brokerBytesOutRate", "underReplicatedPartitions"],
  },
  { name: "memory", title: "Memory: RSS of the lab and of each aggregator (MB)", needs: ["memory"] },
  { name: "cpu", title: "CPU: cores used by the lab, each aggregator and each broker", needs: ["cpuCores"] },
];

function charts(result: RunResult): string {
  const cards = CHARTS.map((c) => {
    if (c.needs && !c.needs.some((key) => result.series[key] !== undefined)) {
      const why =
        {
          memory: "No memory was sampled in this run.",
          cpu: "No CPU was sampled in this run.",
        }[c.name] ?? "No broker metrics were scraped in this run.";
      return `<div class="card chart-missing"><h3>${e(c.title)}</h3><p>${why}</p></div>`;
    }
    return `<div class="card" data-chart="${c.name}"><h3>${e(c.title)}</h3><div class="plot"></div></div>`;
  });
  const faults =
    result.faults.length === 0
      ? "<p>No faults were injected.</p>"
      : table(
          FAULT_HEADER,
          result.faults.map((f) => ({ cells: faultCells(faultRow(f)) })),
        );
  const throttles = throttleRows(result);
  const throttleTable =
    throttles.length === 0
      ? ""
      : `\n<h3>Throttles</h3>\n${table(
          THROTTLE_HEADERS,
          throttles.map((cells) => ({ cells })),
          1,
        )}${(result.throttles ?? []).map((f) => `\n<p>Lag status over the run: ${e(statusTimeline(f))}</p>`).join("")}`;
  const pauses = pauseRows(result);
  const pauseTable =
    pauses.length === 0
      ? ""
      : `\n<h3>Rebalance pauses</h3>\n${table(
          pauseHeaders(result),
          pauses.map((cells) => ({ cells })),
          2,
        )}`;
  const urp = urpRows(result);
  const urpTable =
    urp.length === 0
      ? ""
      : `\n<h3>Under-replicated partitions after each broker outage</h3>\n${table(
          URP_HEADERS,
          urp.map((cells) => ({ cells })),
        )}`;
  const gaps = result.series.gaps ?? [];
  const notMeasured =
    gaps.length === 0
      ? ""
      : `\n<h3>Not measured (gaps in the lines)</h3>\n<ul>${gaps.map((g) => `<li>${e(describeGap(g))}</li>`).join("")}</ul>`;
  const memory = memoryRows(result);
  const memoryTable =
    memory.length === 0
      ? ""
      : `\n<h3>Memory growth (fitted from ${result.memory?.steadyFromS ?? 0} s)</h3>\n${table(
          MEMORY_HEADERS,
          memory.map((cells) => ({ cells })),
          1,
        )}`;
  return section(
    "Over time",
    `<div class="charts">\n${cards.join("\n")}\n</div>\n<h3>Faults (dashed red lines)</h3>\n${faults}${urpTable}${throttleTable}${pauseTable}${notMeasured}${memoryTable}`,
  );
}

function figures(result: RunResult): string {
  const items = keyFigures(result)
    .map(
      (f) =>
        `<div class="figure"><div class="label">${e(f.label)}</div><div class="value">${e(f.value)}</div></div>`,
    )
    .join("\n");
  return section("Key figures", `<div class="figures">\n${items}\n</div>`);
}

function exactness(result: RunResult): string {
  const rows = exactnessRows(result).map((r) => ({
    cells: [
      r.label,
      formatCount(r.ledger),
      formatCount(r.recount),
      formatCount(r.aggregates),
      { html: badge(r.equal, "equal", "differs") },
    ],
    ...(r.equal === false ? { className: "fail" } : {}),
  }));
  const locales = localeSummary(result);
  return section(
    "Exactness",
    `${table(["", "Ledger (sent)", "Recount (input topic)", "Aggregates", "Equal"], rows, 1)}
<p class="${locales.differing.length === 0 ? "" : "fail-text"}">Locales: ${e(describeLocales(locales))}.</p>`,
  );
}

function assertions(result: RunResult): string {
  const passed = result.assertions.filter((a) => a.pass).length;
  const rows = result.assertions.map((a) => ({
    cells: [{ html: badge(a.pass) }, a.name, a.expected, a.observed, a.detail ?? ""],
    className: a.pass ? "pass" : "fail",
  }));
  return section(
    `Assertions (${passed}/${result.assertions.length} passed)`,
    table(["", "Assertion", "Expected", "Observed", "Detail"], rows),
  );
}

function rateSearch(search: NonNullable<RunResult["rateSearch"]>): string {
  const rows = search.steps.map((s) => ({
    cells: [formatRate(s.ratePerSec), s.sustained ? "yes" : "no", s.reason],
    className: s.sustained ? "pass" : "fail",
  }));
  return section(
    "Rate search",
    `<p>Found <strong>${e(formatRate(search.foundRatePerSec))}</strong> · held ${e(formatRate(search.heldRatePerSec))}</p>
${search.limit ? `<p>Limited by <strong>${e(search.limit.by)}</strong>: ${e(search.limit.evidence)}</p>\n` : ""}${table(["Rate", "Sustained", "Reason"], rows)}`,
  );
}

function baseline(comparison: NonNullable<RunResult["baseline"]>): string {
  const rows = comparison.comparisons.map((c) => ({
    cells: [
      { html: badge(c.pass) },
      c.metric,
      formatMeasured(c.baseline),
      formatMeasured(c.current),
      baselineExpectation(c),
    ],
    className: c.pass ? "pass" : "fail",
  }));
  return section(
    "Baseline comparison",
    `<p>Compared with <code>${e(comparison.file)}</code>.</p>
${table(["", "Metric", "Baseline", "Current", "Allowed"], rows)}`,
  );
}

function setup(result: RunResult): string {
  const thresholds = Object.entries(result.config.thresholds).map(([k, v]) => ({ cells: [k, String(v)] }));
  const links = [
    result.links.prometheus
      ? `<li>Prometheus: <a href="${e(result.links.prometheus)}">${e(result.links.prometheus)}</a></li>`
      : "",
    result.links.grafana
      ? `<li>Grafana: <a href="${e(result.links.grafana)}">${e(result.links.grafana)}</a></li>`
      : "",
  ].join("");
  return section(
    "Config and environment",
    `<p><strong>Config:</strong> ${e(describeConfig(result))}</p>
<p><strong>Environment:</strong> ${e(describeEnvironment(result))}</p>
${thresholds.length === 0 ? "" : `<h3>Thresholds</h3>\n${table(["Threshold", "Value"], thresholds)}`}
${links === "" ? "" : `<h3>Links</h3><ul>${links}</ul>`}`,
  );
}

const CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 40px; }
.banner { padding: 16px 20px; border-radius: 8px; color: #fff; margin-bottom: 16px; }
.banner.pass { background: #1a7f37; }
.banner.fail { background: #cf222e; }
.banner.interrupted { background: #9a6700; }
.banner h1 { margin: 0 0 4px; font-size: 24px; }
.banner p { margin: 2px 0; opacity: 0.95; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 18px; margin: 4px 0 12px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 8px; }
.figure { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; }
.figure .label { color: #59636e; font-size: 12px; }
.figure .value { font-size: 17px; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 12px; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; min-width: 0; }
.card h3 { margin: 0 0 6px; }
.plot { width: 100%; }
.chart-missing p { color: #59636e; }
table { border-collapse: collapse; min-width: 50%; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.pass td { background: #dafbe1; }
tr.fail td { background: #ffebe9; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.pass { background: #1a7f37; }
.badge.fail { background: #cf222e; }
.fail-text { color: #cf222e; font-weight: 600; }
code { background: #eff1f3; padding: 1px 4px; border-radius: 4px; }
`;

/** report.html: one self-contained file with charts over time and every table of summary.md. */
export function renderHtml(result: RunResult): string {
  const { uplotJs, uplotCss, chartsJs } = assets();
  const verdict = VERDICT_LABEL[result.verdict];
  const body = [
    `<header class="banner ${result.verdict}">
<h1>${verdict}: ${e(result.scenario.name)}</h1>
<p>${e(result.scenario.description)}</p>
<p>seed ${result.config.seed} · started ${e(result.environment.startedAt)}</p>
</header>`,
    figures(result),
    charts(result),
    exactness(result),
    assertions(result),
    result.rateSearch ? rateSearch(result.rateSearch) : "",
    result.baseline ? baseline(result.baseline) : "",
    setup(result),
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${verdict}: ${e(result.scenario.name)} · login-pipeline-lab</title>
<style>${uplotCss}</style>
<style>${CSS}</style>
</head>
<body>
<main>
${body.join("\n")}
</main>
<script type="application/json" id="report-data">${embedJson({ series: result.series, faults: result.faults })}</script>
<script>${inlineScript(uplotJs)}</script>
<script>${inlineScript(chartsJs)}</script>
</body>
</html>
`;
}
