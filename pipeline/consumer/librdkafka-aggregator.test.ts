import { describe, expect, it, vi } from "vitest";
import { RD_OFFSET_BEGINNING } from "../kafka/librdkafka.ts";
import { closedWithin, resumeAt } from "./librdkafka-aggregator.ts";

describe("resumeAt", () => {
  it("resumes each partition at its committed offset, and one without a commit at the beginning", () => {
    expect(
      resumeAt("user-login", [
        { partition: 0, offset: 4_598 },
        { partition: 1, offset: 0 },
        { partition: 2, offset: -1_001 },
      ]),
    ).toEqual([
      { topic: "user-login", partition: 0, offset: 4_598 },
      { topic: "user-login", partition: 1, offset: 0 },
      { topic: "user-login", partition: 2, offset: RD_OFFSET_BEGINNING },
    ]);
  });
});

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
