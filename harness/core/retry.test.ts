import { describe, expect, it } from "vitest";
import { steppingClock } from "./clock.ts";
import { retryWhile } from "./retry.ts";

const passing = Object.assign(new Error("not the leader"), { retriable: true });

describe("retryWhile", () => {
  it("runs the work again while its error passes with time, and returns what it gave", async () => {
    let calls = 0;
    const seen: unknown[] = [];
    const value = await retryWhile(
      async () => {
        calls += 1;
        if (calls < 3) throw passing;
        return "read";
      },
      {
        passes: () => true,
        clock: steppingClock(),
        untilMs: 10_000,
        pauseMs: 500,
        onRetry: (e) => seen.push(e),
      },
    );
    expect(value).toBe("read");
    expect(calls).toBe(3);
    expect(seen).toEqual([passing, passing]);
  });

  it("throws an error that does not pass at once, and a passing one once the time is up", async () => {
    let calls = 0;
    const refused = new Error("authorization failed");
    await expect(
      retryWhile(
        async () => {
          calls += 1;
          throw refused;
        },
        { passes: (e) => e !== refused, clock: steppingClock(), untilMs: 10_000, pauseMs: 500 },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryWhile(
        async () => {
          calls += 1;
          throw passing;
        },
        { passes: () => true, clock: steppingClock(), untilMs: 2_000, pauseMs: 500 },
      ),
    ).rejects.toBe(passing);
    expect(calls).toBe(6);
  });
});
