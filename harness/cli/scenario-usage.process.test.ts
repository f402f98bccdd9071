import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../infra/local/provision.ts";
import { renderJson } from "../report/json.ts";
import { loadScenario } from "../scenario/registry.ts";
import { sampleResult, smokeBaseline } from "../testing/sample-result.ts";

/**
 * Mistakes a user can make on the command line, through the real entry point (`npm run scenario` runs
 * harness/cli/scenario.ts with tsx). None of them may start anything: each run gets a LAB_RUNS_DIR of its
 * own, which must stay empty, and must be over within seconds.
 */
function scenarioCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const runsDir = mkdtempSync(join(tmpdir(), "lab-usage-runs-"));
  return new Promise<{ code: number | null; stderr: string; stdout: string; runsDir: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "harness/cli/scenario.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LAB_RUNS_DIR: runsDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, runsDir });
    });
  });
}

async function refused(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await scenarioCli(args, env);
  expect(run.code, run.stderr).toBe(2);
  // The error alone: no progress line before it, no stack trace, and the fix on its own line.
  expect(run.stderr.trimStart()).toMatch(/^error: /);
  expect(run.stderr).toMatch(/\n {2}fix: \S/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).not.toMatch(/starting|connecting/);
  return run.stderr;
}

const dir = mkdtempSync(join(tmpdir(), "lab-usage-"));

// Each run starts node and tsx: seconds on a loaded 2-core machine, so the timeout is generous.
const slow = { timeout: 120_000 };

describe.concurrent("npm run scenario refuses a mistake with exit 2 and a clear message", slow, () => {
  it("a scenario file with a syntax error: its file, line, column and the parser's message", async () => {
    const file = join(dir, "broken.ts");
    writeFileSync(file, 'export default {\n  name: "broken",\n  load: { kind: "constant" rate: 3 },\n};\n');
    const stderr = await refused([file]);
    expect(stderr).toContain(`error: ${file}:3:28: syntax error: Expected "}" but found "rate"`);
    expect(stderr).toContain('  load: { kind: "constant" rate: 3 },\n');
  });

  it.each([
    [["--rate", "banana"], "--rate: banana is not a positive number of events/s"],
    [["--malformed", "banana"], "--malformed: banana is not a share from 0 to 1"],
    [["--duration", "-5s"], "--duration: -5s is not a duration\n  fix: use a number with h, m, s or ms"],
    [
      ["--duration", "banana"],
      "--duration: banana is not a duration\n  fix: use a number with h, m, s or ms",
    ],
    [["--duration", "0"], "error: --duration: 0 is not above zero\n"],
    [["--window", "0s"], "error: --window: 0s is not above zero\n"],
  ])("%j names the flag and the value as typed", async (flags, message) => {
    const stderr = await refused(["smoke", ...flags]);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/durationMs|windowMs|null|NaN/);
  });

  it("a window longer than the drain timeout, before any load, with both values", async () => {
    const stderr = await refused(["smoke", "--window", "45s"]);
    expect(stderr).toContain("--window: 45s is longer than the drain timeout (drainTimeoutMs) of 30s");
    expect(stderr.match(/command-line flags/g)).toHaveLength(1);
  });

  it("--provider external without --brokers: the usage error alone", async () => {
    const stderr = await refused(["smoke", "--provider", "external"]);
    expect(stderr.trim().split("\n")).toEqual([
      "error: --provider external needs the cluster's addresses",
      "  fix: add --brokers host:port[,host:port…]",
    ]);
  });

  it.each([
    [["--sasl-mechanism", "plain", "--sasl-username", "lab"], "--sasl-mechanism, --sasl-username are"],
    [["--tls", "--tls-ca", "/tmp/ca.pem"], "--tls, --tls-ca are"],
    [["--prometheus-url", "http://127.0.0.1:9090"], "--prometheus-url is"],
    [["--grafana-url", "http://127.0.0.1:3000"], "--grafana-url is"],
  ])("%j with the local provider names the provider that takes them", async (flags, named) => {
    const stderr = await refused(["smoke", ...flags]);
    expect(stderr).toContain(`${named} for --provider external; this run uses the local provider`);
  });

  it.each([
    [
      ["--driver-command", "kcat -P"],
      "error: --driver-command is for --driver external; without it the lab drives the load itself\n  fix: add --driver external",
    ],
    [["--driver", "external"], "error: --driver external needs the command that writes the load\n"],
    [["--driver", "external", "--driver-command", " "], "(--driver-command is empty)"],
    [
      ["--driver", "external", "--driver-command", "kcat -P", "--client", "kafkajs"],
      "error: --client is for the lab's own load driver; --driver external runs your command instead",
    ],
    [
      ["--driver", "external", "--driver-command", "kcat -P", "--producers", "2"],
      "error: --producers is for the lab's own load driver",
    ],
  ])("%j: the driver flags go together, and without the lab's driver's own", async (flags, message) => {
    const stderr = await refused(["smoke", ...flags]);
    expect(stderr).toContain(message);
  });

  it("--aggregator-client with --consumer-command, whose aggregator would ignore it", async () => {
    const stderr = await refused([
      "smoke",
      "--consumer-command",
      "node my-aggregator.js",
      "--aggregator-client",
      "librdkafka",
    ]);
    expect(stderr).toContain("--consumer-command runs your aggregator instead, which would ignore it");
  });

  it("--driver external on a scenario that searches for its rate, which only the lab's driver can steer", async () => {
    const stderr = await refused(["high-load", "--driver", "external", "--driver-command", "true"]);
    expect(stderr).toContain("high-load searches for the highest sustained rate");
  });

  it("a password on the command line, where ps would show it", async () => {
    const stderr = await refused([
      "smoke",
      "--provider",
      "external",
      "--brokers",
      "a:1",
      "--sasl-password",
      "x",
    ]);
    expect(stderr).toContain("--sasl-password would show the password in `ps`");
  });

  it("a baseline of another scenario and configuration, naming every difference", async () => {
    const file = join(dir, "other-baseline.json");
    writeFileSync(file, renderJson(sampleResult()));
    const stderr = await refused(["smoke", "--baseline", file]);
    expect(stderr).toContain(`--baseline ${file} is a run of another configuration:`);
    for (const difference of [
      "scenario: smoke in this run, broker-kill in the baseline",
      "load: constant 200/s in this run, 500 events/s for 60s in the baseline",
      "partitions: 3 in this run, 6 in the baseline",
      "consumers: 1 in this run, 2 in the baseline",
      "brokers: 1 in this run, 3 in the baseline",
    ])
      expect(stderr).toContain(difference);
    // Both windows are 5 s: what is equal is not listed.
    expect(stderr).not.toContain("window:");
  });

  it("accepts --duration 1m30s and a baseline of the same configuration, getting as far as connecting", async () => {
    const baseline = await smokeBaseline((await loadScenario("smoke")).description);
    const file = join(dir, "same-baseline.json");
    writeFileSync(file, renderJson(baseline));
    // An external cluster nobody listens on: the arguments pass, then connecting fails, still with exit 2.
    const run = await scenarioCli([
      "smoke",
      "--baseline",
      file,
      "--provider",
      "external",
      "--brokers",
      "127.0.0.1:1",
      "--duration",
      "1m30s",
    ]);
    expect(run.stderr).toContain("connecting to the external cluster");
    expect(run.stderr).not.toMatch(/another configuration|--duration/);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: the external cluster at 127.0.0.1:1 was not ready");
  });
});

describe("npm run scenario --help", slow, () => {
  it("fits 100 columns without breaking the baseline example's path", async () => {
    const run = await scenarioCli(["--help"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100);
    expect(lines.some((l) => l.includes("--baseline reports/baselines/baseline.json"))).toBe(true);
    expect(run.stdout).toContain("--sasl-password-file");
  });
});
