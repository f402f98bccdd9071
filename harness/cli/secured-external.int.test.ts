import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedLocalStack, startLocalStack } from "../infra/local/local-stack.ts";
import { readResult, scenarioCli } from "../testing/scenario-cli.ts";

/**
 * Smoke through `--provider external` against a broker whose listeners want SASL (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) or TLS, started by the local provider with a throwaway CA. Proves the lab, its driver
 * and its aggregator processes all authenticate, and that the password is written nowhere.
 */
let stack: StartedLocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    brokers: 1,
    kraft: false,
    prometheus: false,
    secureListeners: true,
    log: (line) => process.stderr.write(`[secured] ${line}\n`),
  });
});
afterAll(() => stack?.stop());

function secure() {
  const endpoints = stack.secureEndpoints();
  if (!endpoints) throw new Error("the stack was started without secure listeners");
  return endpoints;
}

function smoke(brokers: string[], ...flags: string[]): string[] {
  return ["smoke", "--provider", "external", "--brokers", brokers.join(","), "--duration", "7s", ...flags];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every report, summary and log of the run, and the broker's own logs: none may hold the password. */
function filesHolding(secret: string, reportDir: string): string[] {
  const brokerLogs = Object.values(stack.logFiles());
  return [...filesUnder(reportDir), ...brokerLogs].filter((f) => readFileSync(f, "utf8").includes(secret));
}

async function passes(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await scenarioCli(args, env);
  expect(run.code, run.stderr.slice(-3_000)).toBe(0);
  expect(run.stderr).toContain("PASS smoke");
  const result = readResult(run.reportDir);
  expect(result.aggregates.total).toBe(result.recount.valid);
  expect(result.recount.total).toBeGreaterThan(1_000);
  expect(filesUnder(run.reportDir).some((f) => f.endsWith("consumer-0.log"))).toBe(true);
  expect(filesHolding(secure().user.password, run.reportDir)).toEqual([]);
}

describe("smoke against a secured external cluster", () => {
  it.each(["plain"])("passes with SASL %s, the password in LAB_SASL_PASSWORD", async (mechanism) => {
    const { sasl, user } = secure();
    await passes(smoke(sasl, "--sasl-mechanism", mechanism, "--sasl-username", user.name), {
      LAB_SASL_PASSWORD: user.password,
    });
  });

  it("passes with SASL scram-sha-512, the password in a file", async () => {
    const { sasl, user, passwordFile } = secure();
    const flags = ["--sasl-mechanism", "scram-sha-512", "--sasl-username", user.name];
    await passes(smoke(sasl, ...flags, "--sasl-password-file", passwordFile), { LAB_SASL_PASSWORD: "" });
  });

  it("passes over TLS, trusting the cluster's CA", async () => {
    const { ssl, caFile } = secure();
    await passes(smoke(ssl, "--tls", "--tls-ca", caFile));
  });

  it("exits 2 saying authentication failed on a wrong password, before any load", async () => {
    const { sasl, user } = secure();
    const run = await scenarioCli(
      smoke(sasl, "--sasl-mechanism", "scram-sha-256", "--sasl-username", user.name),
      { LAB_SASL_PASSWORD: `${user.password}-wrong` },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: authentication failed at ${sasl.join(",")} for user ${user.name}`);
    expect(run.stderr).not.toMatch(/cannot reach Kafka|starting 1 aggregator|\n\s+at /);
  });

  it("exits 2 naming the TLS handshake when the broker's CA is not trusted", async () => {
    const { ssl } = secure();
    const run = await scenarioCli(smoke(ssl, "--tls"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: TLS handshake with ${ssl.join(",")} failed`);
    expect(run.stderr).toContain("--tls-ca");
  });
});
