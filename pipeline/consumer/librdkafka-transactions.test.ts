import { describe, expect, it, vi } from "vitest";
import { closedWithin } from "./librdkafka-transactions.ts";

describe("closedWithin", () => {
  it("gives up on a close that never calls back, so a stop ends inside its grace", async () => {
    vi.useFakeTimers();
    try {
      const waiting = closedWithin(() => {}, 8_000);
      await vi.advanceTimersByTimeAsync(8_000);
      expect(await waiting).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says so when the close called back", async () => {
    expect(await closedWithin((done) => setImmediate(done), 8_000)).toBe(true);
  });
});
