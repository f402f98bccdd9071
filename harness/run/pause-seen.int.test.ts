import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import type { RunResult } from "../result/types.ts";
import { validateScenario } from "../scenario/schema.ts";
import { runScenario } from "./runner.ts";

const FREEZE_AT_S = 15;
const FREEZE_S = 5;

/** Values of `series` at the seconds of `t` within [from, to]. */
function within(result: RunResult, values: (number | null)[], from: number, to: number): number[] {
  return result.series.t.flatMap((s, i) => {
    const v = values[i];
    return s >= from && s <= to && v !== null && v !== undefined ? [v] : [];
  });
}

/**
 * The processes whose environment has a variable starting with `prefix` (e.g. `NAME=value-`): the
 * aggregator and whatever it runs as (a launcher and its child both inherit it).
 */
function processesWithEnvironment(prefix: string): number[] {
  const found = readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return readFileSync(`/proc/${entry}/environ`, "utf8")
        .split("\0")
        .some((v) => v.startsWith(prefix));
    } catch {
      return false; // gone, or not ours to read
    }
  });
  if (found.length === 0) throw new Error(`no process has ${prefix} in its environment`);
  return found.map(Number);
}

describe("a pause of a known length", () => {
  it("shows an aggregator frozen for 5 s in the p99 end-to-end latency and in lag in seconds", async () => {
    const name = `pause-seen-${process.pid}`;
    const scenario = validateScenario(
      {
        name,
        description: "One aggregator frozen with SIGSTOP for 5 s under a steady load.",
        summary: "a 5 s freeze",
        proves: "the instruments see a pause of a known length",
        load: { kind: "constant", rate: 300 },
        durationMs: 35_000,
        drainTimeoutMs: 30_000,
        topology: { partitions: 2, consumers: 1, brokers: 1, kraft: false },
        windowMs: 1_000,
        malformed: 0,
        seed: 3,
        thresholds: { exact: true },
      },
      "the test",
    );
    const timers: NodeJS.Timeout[] = [];
    let frozen: number[] = [];
    const thaw = () => {
      for (const pid of frozen) process.kill(pid, "SIGCONT");
      frozen = [];
    };
    onTestFinished(() => {
      for (const timer of timers) clearTimeout(timer);
      thaw();
    });
    const freezeOnLoad = (line: string) => {
      if (!line.startsWith("load:")) return;
      timers.push(
        setTimeout(() => {
          // The aggregator of this run, found by the group name the runner gives it in its environment.
          frozen = processesWithEnvironment(`CONSUMER_GROUP=user-login-aggregator-${name}-`);
          for (const pid of frozen) process.kill(pid, "SIGSTOP");
          timers.push(setTimeout(thaw, FREEZE_S * 1_000));
        }, FREEZE_AT_S * 1_000),
      );
    };
    const result = await runScenario({
      scenario,
      provider: "external",
      external: { brokers: inject("stack").bootstrapServers },
      log: (line) => {
        process.stderr.write(`[run] ${line}\n`);
        freezeOnLoad(line);
      },
      progress: () => {},
      logDir: mkdtempSync(join(tmpdir(), "pause-seen-")),
    });
    expect(result.verdict, JSON.stringify(result.assertions.filter((a) => !a.pass))).toBe("pass");
    // A second the lab could not measure is a gap (a loaded machine can make a call miss its bound); the
    // seconds around the freeze must be measured for the test to mean anything.
    const gapsNearFreeze = (result.series.gaps ?? []).filter(
      (g) => g.what.startsWith("lag") && g.toS >= FREEZE_AT_S - 1 && g.fromS <= FREEZE_AT_S + FREEZE_S + 4,
    );
    expect(gapsNearFreeze.length, JSON.stringify(result.series.gaps)).toBeLessThan(3);

    const { lagSeconds, latencyP99Ms } = result.series;
    const before = {
      lag: within(result, lagSeconds, 5, FREEZE_AT_S - 1),
      p99: within(result, latencyP99Ms, 5, FREEZE_AT_S - 1),
    };
    const during = {
      lag: within(result, lagSeconds, FREEZE_AT_S, FREEZE_AT_S + FREEZE_S + 2),
      p99: within(result, latencyP99Ms, FREEZE_AT_S + FREEZE_S - 1, FREEZE_AT_S + FREEZE_S + 4),
    };
    // Before: an event waits about one 1 s window, which a busy machine can stretch by seconds (a p99 of
    // 4.1 s was seen in CI). During: the oldest unconsumed event ages through the whole freeze, and the
    // first commits after it carry events that waited for all of it. The freeze's length tells them apart.
    expect(Math.max(...before.lag)).toBeLessThan(FREEZE_S);
    expect(Math.max(...during.lag)).toBeGreaterThanOrEqual(FREEZE_S);
    expect(Math.max(...before.p99)).toBeLessThan(FREEZE_S * 1_000);
    expect(Math.max(...during.p99)).toBeGreaterThanOrEqual(FREEZE_S * 1_000);
    expect(result.latency.max).toBeGreaterThanOrEqual(FREEZE_S * 1_000);
  });
});
