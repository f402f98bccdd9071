import { describe, expect, it } from "vitest";
import { replayArgs, type SeedOutcome, seedLine, seedsVerdict } from "./seeds-summary.ts";

const pass = (seed: number): SeedOutcome => ({
  seed,
  verdict: "pass",
  failed: [],
  report: `r/${seed}/report.html`,
});
const fail = (seed: number, ...failed: string[]): SeedOutcome => ({
  seed,
  verdict: "fail",
  failed,
  report: `r/${seed}/report.html`,
});

describe("the --seeds summary", () => {
  it("prints one line per seed: seed, verdict, the failed assertions' names and the report", () => {
    expect(seedLine(pass(3))).toBe("seed 3: PASS  r/3/report.html");
    expect(seedLine(fail(4, "events lost", "DLQ records = recount invalid"))).toBe(
      "seed 4: FAIL (events lost; DLQ records = recount invalid)  r/4/report.html",
    );
  });

  it("names the seeds that failed and the command that replays one with --seed", () => {
    const argv = ["chaos", "--seeds", "1..5", "--aggregator-client", "librdkafka", "--report-dir", "out"];
    expect(seedsVerdict([pass(1), fail(2, "events lost"), pass(3), fail(5, "x")], argv)).toEqual([
      "2 of 4 seeds did not pass: 2, 5",
      "replay one: npm run scenario -- chaos --aggregator-client librdkafka --seed 2",
    ]);
    expect(seedsVerdict([pass(1), pass(2)], argv)).toEqual(["all 2 seeds passed"]);
  });

  it("drops --seeds and --report-dir written with = as well", () => {
    expect(replayArgs(["chaos", "--seeds=1..3", "--report-dir=x", "--kraft"], 2)).toEqual([
      "chaos",
      "--kraft",
      "--seed",
      "2",
    ]);
  });
});
