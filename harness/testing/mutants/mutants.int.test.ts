import { describe, expect, it } from "vitest";
import { failedAssertions, readResult, scenarioCli } from "../scenario-cli.ts";

/** The command that runs a mutant as every aggregator of a run. */
const mutant = (name: string) => [
  "--consumer-command",
  `exec node --import tsx harness/testing/mutants/${name}.ts`,
];

// Each broken aggregator runs through --consumer-command, the seam any aggregator of one's own uses, and
// the lab must fail the run naming what the defect did.
// Two at a time: a broken aggregator fails however busy the machine is. The real pipeline passes the same
// scenarios in scenarios/every-scenario.int.test.ts, and smoke's per-range recount in
// harness/cli/scenario.int.test.ts.
describe.concurrent("the lab fails broken aggregators by name", () => {
  it("double-count (the Fetch seed's bug): smoke exits 1 with events counted twice", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(["smoke", ...mutant("double-count")], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    const result = readResult(run.reportDir);
    expect(result.config.aggregatorCommand).toContain("double-count");
    expect(failedAssertions(result)).toContain("events counted twice");
    expect(result.aggregates.total).toBeGreaterThan(result.recount.valid);
  }, 300_000);

  it("at-least-once: consumer-crash exits 1 with events lost", async ({ onTestFinished }) => {
    const run = await scenarioCli(["consumer-crash", ...mutant("at-least-once")], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    const result = readResult(run.reportDir);
    expect(failedAssertions(result)).toContain("events lost");
    expect(result.faults.filter((f) => f.action === "kill-consumer" && f.error === undefined)).toHaveLength(
      3,
    );
  }, 300_000);

  it("drop-on-fence: consumer-freeze exits 1, naming the offsets of the windows it dropped or re-counted", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(["consumer-freeze", ...mutant("drop-on-fence")], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    const result = readResult(run.reportDir);
    // Which way it goes depends on timing: a window re-read by the new owner after the zombie's late commit
    // is counted twice; a dropped window is lost once a later commit passes it, and otherwise, its offsets
    // never committed and never read again, it is owed by the group: not yet aggregated, and the drain never
    // ends. Each is named, in events and in offsets.
    const failed = failedAssertions(result);
    const named = ["events lost", "events counted twice", "events not yet aggregated"];
    expect(
      failed.some((name) => named.includes(name)),
      failed.join("; "),
    ).toBe(true);
    const where = (name: string) => result.assertions.find((a) => a.name === name);
    const coverage = where("analytics cover every input offset exactly once");
    const owed = where("events not yet aggregated");
    expect(`${coverage?.pass ? "" : coverage?.detail} ${owed?.pass ? "" : owed?.detail}`).toMatch(
      /never aggregated|gap in user-login|overlap in user-login|user-login\/\d+ offsets \d+–\d+/,
    );
  }, 300_000);

  it("skip-one: smoke exits 1, the per-range recount naming each window that skipped a record while its ranges tile", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(["smoke", ...mutant("skip-one")], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    const result = readResult(run.reportDir);
    const perRange = result.assertions.find(
      (a) => a.name === "each analytics record equals the recount of its source range",
    );
    expect(perRange?.pass).toBe(false);
    // Every window of more than one record skipped one, so every such record is named with its key,
    // range and instance, and one record of its range uncounted.
    expect(perRange?.detail).toMatch(
      /^user-login:\d+:\d+-\d+ \(offsets \d+–\d+ of user-login\/\d+, aggregator skip-one-\d+\): range holds \d+ input record\(s\) at \d+–\d+, record counted \d+, so 1 record\(s\) of its range went uncounted; /,
    );
    // The blind spot this closes: the ranges alone look perfect.
    const coverage = result.assertions.find(
      (a) => a.name === "analytics cover every input offset exactly once",
    );
    expect(coverage?.pass, coverage?.detail).toBe(true);
  }, 300_000);
});
