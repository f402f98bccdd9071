import { describe, expect, it } from "vitest";
import { sampleResult } from "../testing/sample-result.ts";
import { compareWithBaseline } from "../verify/baseline.ts";
import { escapeXml, renderJunit } from "./junit.ts";

interface ParsedCase {
  attrs: Record<string, string>;
  failure?: { attrs: Record<string, string>; body: string };
}

function attributes(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

function fromXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Just enough of a parser for what renderJunit writes: the suite's attributes and its test cases. */
function parse(xml: string): { suite: Record<string, string>; cases: ParsedCase[] } {
  const suite = /<testsuite ([^>]*)>/.exec(xml);
  if (!suite?.[1]) throw new Error("no <testsuite>");
  const cases = [...xml.matchAll(/<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map(
    (m): ParsedCase => {
      const failure = m[2] ? /<failure ([^>]*)>([\s\S]*?)<\/failure>/.exec(m[2]) : null;
      return {
        attrs: attributes(m[1] ?? ""),
        ...(failure ? { failure: { attrs: attributes(failure[1] ?? ""), body: failure[2] ?? "" } } : {}),
      };
    },
  );
  return { suite: attributes(suite[1]), cases };
}

describe("renderJunit", () => {
  it("writes one test case per assertion with correct counts when all pass", () => {
    const { suite, cases } = parse(renderJunit(sampleResult()));
    expect(suite).toMatchObject({ name: "broker-kill", tests: "5", failures: "0", errors: "0" });
    expect(cases.map((c) => c.attrs.name)).toEqual([
      "no lost events",
      "no duplicate counts",
      "aggregates equal the ledger",
      "e2e latency p99",
      "lag drained",
    ]);
    expect(new Set(cases.map((c) => c.attrs.classname))).toEqual(new Set(["login-pipeline-lab.broker-kill"]));
    expect(cases.some((c) => c.failure)).toBe(false);
  });

  it("gives a failed assertion a failure element saying what was expected and observed", () => {
    const xml = renderJunit(sampleResult({}, { failAssertion: true }));
    const { suite, cases } = parse(xml);
    expect(suite.failures).toBe("1");
    const failed = cases.find((c) => c.attrs.name === "e2e latency p99");
    expect(failed?.failure?.attrs.message).toBe("expected ≤ 5000 ms, observed 14212 ms");
    expect(fromXml(failed?.failure?.body ?? "")).toBe(
      "latency rose while broker-2 was down & stayed <above> the limit",
    );
    expect(xml).toContain("&amp; stayed &lt;above&gt; the limit");
  });

  it("adds baseline comparisons as test cases and counts their failures", () => {
    const base = sampleResult();
    const slower = sampleResult({ throughput: { ...base.throughput, achievedPerSec: 300 } });
    const { suite, cases } = parse(
      renderJunit({
        ...slower,
        baseline: { file: "b.json", comparisons: compareWithBaseline(slower, base) },
      }),
    );
    expect(suite).toMatchObject({ tests: "8", failures: "1" });
    const rate = cases.find((c) => c.attrs.name === "baseline: achieved rate (events/s)");
    expect(rate?.failure?.attrs.message).toBe("expected ≥ 399.36 (baseline 499.2 −20 %), observed 300");
    expect(cases.find((c) => c.attrs.name === "baseline: max lag (s)")?.failure).toBeUndefined();
  });

  it("escapes names that carry XML syntax so the document stays well formed", () => {
    const hostile = `lag < 5 s & "quoted" 'it'\u0007`;
    const result = sampleResult({
      scenario: { name: "a&b", description: "" },
      assertions: [
        {
          name: hostile,
          relation: "=",
          expectedValue: 1,
          observedValue: 2,
          expected: "<1>",
          observed: "</failure>",
          pass: false,
        },
      ],
    });
    const { suite, cases } = parse(renderJunit(result));
    expect(fromXml(suite.name ?? "")).toBe("a&b");
    expect(fromXml(cases[0]?.attrs.name ?? "")).toBe(`lag < 5 s & "quoted" 'it'`);
    expect(fromXml(cases[0]?.failure?.attrs.message ?? "")).toBe("expected <1>, observed </failure>");
    expect(cases).toHaveLength(1);
  });

  it("puts an assertion's numbers in the case's properties, and leaves structured values to report.json", () => {
    const xml = renderJunit(sampleResult({}, { failAssertion: true }));
    expect(xml).toContain(
      [
        '    <testcase name="e2e latency p99" classname="login-pipeline-lab.broker-kill" time="0">',
        "      <properties>",
        '        <property name="relation" value="≤"/>',
        '        <property name="expected" value="5000"/>',
        '        <property name="observed" value="14212"/>',
        '        <property name="unit" value="ms"/>',
        "      </properties>",
        '      <failure message="expected ≤ 5000 ms, observed 14212 ms" type="assertion">',
      ].join("\n"),
    );
    const structured = sampleResult({
      assertions: [
        {
          name: "aggregates by locale = recount",
          relation: "=",
          expectedValue: new Map([["CA", 1]]),
          observedValue: new Map([["CA", 1]]),
          expected: "1 value, 1 in all",
          observed: "1 value, 1 in all",
          pass: true,
        },
      ],
    });
    expect(renderJunit(structured)).toContain(
      '<testcase name="aggregates by locale = recount" classname="login-pipeline-lab.broker-kill" time="0"/>',
    );
  });

  it("lists each fault as a property of the suite", () => {
    const xml = renderJunit(sampleResult());
    expect(xml).toContain('<property name="fault.1" value="30 s · kill · broker-2 · pid 41234, SIGKILL"/>');
    expect(xml).toContain('<property name="fault.2" value="40 s · restart · broker-2 · pid 41877"/>');
    expect(renderJunit(sampleResult({ faults: [] }))).not.toContain("fault.");
  });
});

describe("escapeXml", () => {
  it("escapes the five XML specials and drops characters XML cannot hold", () => {
    expect(escapeXml(`<a href="x">&'\u0000\u001f\ttab`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;\ttab");
  });
});
