import { afterEach, describe, expect, it, vi } from "vitest";
import { STOP_LIMIT_MS, stopWithin } from "./bounded-stop.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("stopWithin", () => {
  it("is true when the stop finishes in time", async () => {
    expect(await stopWithin(async () => {}, 1_000)).toBe(true);
  });

  it("gives up on a stop that takes longer than the limit, inside a supervisor's 30 s grace", async () => {
    vi.useFakeTimers();
    let finished = false;
    const stop = () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          finished = true;
          resolve();
        }, 30_000),
      );
    const outcome = stopWithin(stop);
    await vi.advanceTimersByTimeAsync(STOP_LIMIT_MS);
    expect(await outcome).toBe(false);
    expect(finished).toBe(false);
    expect(STOP_LIMIT_MS).toBeLessThan(30_000);
  });

  it("passes a failed stop on", async () => {
    await expect(stopWithin(() => Promise.reject(new Error("fenced")), 1_000)).rejects.toThrow("fenced");
  });
});
