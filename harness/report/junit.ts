import { formatMeasured } from "../core/format.ts";
import { statusTimeline } from "../observe/throttle-figures.ts";
import type { Assertion, RunResult } from "../result/types.ts";
import { pauseHeaders, pauseRows, THROTTLE_HEADERS, throttleRows } from "./fault-effects.ts";
import { baselineExpectation, describeDriver, faultCells, faultRow } from "./figures.ts";
import { URP_HEADERS, urpRows } from "./urp-table.ts";

interface Case {
  name: string;
  /** Name and value pairs a CI tool shows with the case (as pytest writes them). */
  properties?: [string, string][];
  failure?: { message: string; detail?: string };
}

/** An assertion's values when they are plain numbers; structured ones stay in report.json. */
function valueProperties(a: Assertion): [string, string][] {
  const scalar = (v: unknown) => typeof v === "number" || v === null;
  if (!scalar(a.expectedValue) || !scalar(a.observedValue)) return [];
  return [
    ["relation", a.relation],
    ["expected", String(a.expectedValue)],
    ["observed", String(a.observedValue)],
    ...(a.unit ? ([["unit", a.unit]] as [string, string][]) : []),
  ];
}

/** Escapes text for XML and drops the control characters XML 1.0 cannot hold at all. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function cases(result: RunResult): Case[] {
  const fromAssertions = result.assertions.map(
    (a): Case =>
      a.pass
        ? { name: a.name, properties: valueProperties(a) }
        : {
            name: a.name,
            properties: valueProperties(a),
            failure: {
              message: `expected ${a.expected}, observed ${a.observed}`,
              ...(a.detail ? { detail: a.detail } : {}),
            },
          },
  );
  const fromBaseline = (result.baseline?.comparisons ?? []).map(
    (c): Case =>
      c.pass
        ? { name: `baseline: ${c.metric}` }
        : {
            name: `baseline: ${c.metric}`,
            failure: {
              message: `expected ${baselineExpectation(c)}, observed ${formatMeasured(c.current)}`,
              detail: `compared with ${result.baseline?.file}`,
            },
          },
  );
  return [...fromAssertions, ...fromBaseline];
}

function testcase(c: Case, classname: string): string {
  const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(classname)}" time="0"`;
  const inner: string[] = [];
  if (c.properties && c.properties.length > 0) {
    inner.push(
      "      <properties>",
      ...c.properties.map(([k, v]) => `        <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`),
      "      </properties>",
    );
  }
  if (c.failure) {
    const body = c.failure.detail === undefined ? "" : escapeXml(c.failure.detail);
    inner.push(`      <failure message="${escapeXml(c.failure.message)}" type="assertion">${body}</failure>`);
  }
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join("\n")}\n    </testcase>`;
}

/** junit.xml: one test suite per run, one test case per assertion and per baseline comparison, for CI. */
export function renderJunit(result: RunResult): string {
  const name = result.scenario.name;
  const all = cases(result);
  const failures = all.filter((c) => c.failure).length;
  const time = (result.config.durationMs / 1_000).toFixed(3);
  const counts = `tests="${all.length}" failures="${failures}" errors="0" skipped="0" time="${time}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="login-pipeline-lab" ${counts}>`,
    `  <testsuite name="${escapeXml(name)}" ${counts} timestamp="${escapeXml(result.environment.startedAt)}" hostname="${escapeXml(result.environment.hostname)}">`,
    "    <properties>",
    `      <property name="seed" value="${result.config.seed}"/>`,
    `      <property name="verdict" value="${result.verdict}"/>`,
    ...driverProperty(result),
    ...result.faults.map(
      (f, i) =>
        `      <property name="fault.${i + 1}" value="${escapeXml(faultCells(faultRow(f)).filter(Boolean).join(" · "))}"/>`,
    ),
    ...throttleRows(result).map(
      (row, i) =>
        `      <property name="throttle.${i + 1}" value="${escapeXml(row.map((c, j) => `${THROTTLE_HEADERS[j]}: ${c}`).join(" · "))}"/>`,
    ),
    ...(result.throttles ?? []).map(
      (f, i) =>
        `      <property name="throttle.${i + 1}.lag-status" value="${escapeXml(statusTimeline(f))}"/>`,
    ),
    ...pauseRows(result).map(
      (row, i) =>
        `      <property name="rebalance-pause.${i + 1}" value="${escapeXml(row.map((c, j) => `${pauseHeaders(result)[j]}: ${c}`).join(" · "))}"/>`,
    ),
    ...urpRows(result).map(
      (cells, i) =>
        `      <property name="urp.${i + 1}" value="${escapeXml(cells.map((c, j) => `${URP_HEADERS[j]}: ${c}`).join(" · "))}"/>`,
    ),
    "    </properties>",
    ...all.map((c) => testcase(c, `login-pipeline-lab.${name}`)),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** What drove the load when it was not the lab's driver, and what the ledger is then. */
function driverProperty(result: RunResult): string[] {
  const driver = describeDriver(result);
  return driver === undefined ? [] : [`      <property name="driver" value="${escapeXml(driver)}"/>`];
}
