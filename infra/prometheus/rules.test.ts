import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderPrometheusConfig } from "./config.ts";
import { RULE_FILES, RULES_DIR, ruleExpressions } from "./rules.ts";

const hasPromtool = !spawnSync("promtool", ["--version"]).error;

function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const run = spawnSync("promtool", args, { encoding: "utf8", cwd });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("rule expressions", () => {
  it("lists every recording rule and alert once, with its kind", () => {
    const rules = ruleExpressions();
    const names = rules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(rules.filter((r) => r.file === "recording.yml").every((r) => r.kind === "record")).toBe(true);
    expect(rules.filter((r) => r.file === "alerts.yml").every((r) => r.kind === "alert")).toBe(true);
    expect(names).toEqual(
      expect.arrayContaining(["device_type:login_events:rate1m", "ConsumerLagGrowing", "AggregatorDown"]),
    );
  });

  it("has a unit test in alerts.test.yml for every alert", () => {
    const tests = parse(readFileSync(join(RULES_DIR, "alerts.test.yml"), "utf8")) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const expectedToFire = new Set(
      tests.tests.flatMap((t) =>
        t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const alerts = ruleExpressions()
      .filter((r) => r.kind === "alert")
      .map((r) => r.name);
    expect(alerts.filter((a) => !expectedToFire.has(a))).toEqual([]);
  });
});

describe.skipIf(!hasPromtool)(
  "promtool (skipped: promtool is not installed; apt-get install prometheus)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "lab-promtool-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("accepts both rule files", () => {
      const result = promtool(["check", "rules", ...RULE_FILES]);
      expect(result.output).not.toMatch(/FAILED/);
      expect(result.status, result.output).toBe(0);
    });

    it("accepts a rendered config, with and without consumer targets", () => {
      for (const consumerTargets of [[], ["127.0.0.1:9997"]]) {
        const file = join(dir, "prometheus.yml");
        writeFileSync(
          file,
          renderPrometheusConfig({
            scrapeIntervalSeconds: 1,
            kafkaTargets: [1, 2, 3].map((id) => ({ brokerId: id, address: `127.0.0.1:${9400 + id}` })),
            consumerTargets,
            labTargets: ["127.0.0.1:9464"],
            ruleFiles: RULE_FILES,
          }),
        );
        const result = promtool(["check", "config", file]);
        expect(result.status, result.output).toBe(0);
      }
    });

    it("fires each alert on the series in alerts.test.yml", () => {
      const result = promtool(["test", "rules", "alerts.test.yml"], RULES_DIR);
      expect(result.status, result.output).toBe(0);
    });
  },
);
