import { describe, expect, it } from "vitest";
import { readResult, scenarioCli } from "../../testing/scenario-cli.ts";

describe("npm run scenario -- smoke --brokers-count 3 --kraft", () => {
  it("passes: ready means every broker knows the run's topics before the load starts", async () => {
    const run = await scenarioCli(["smoke", "--brokers-count", "3", "--kraft"]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.code, run.stderr.slice(-2_000)).toBe(0);
    expect(run.stderr).toContain("PASS smoke");
    const result = readResult(run.reportDir);
    expect(result.config).toMatchObject({ brokers: 3, kraft: true });
    expect(result.aggregates.total).toBe(result.recount.valid);
    expect(result.recount.total).toBeGreaterThan(3_500);
  }, 300_000);
});
