import { type Clock, systemClock } from "./clock.ts";
import { LabError } from "./errors.ts";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is being waited for, for the error message. */
  what: string;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * Polls `check` until it returns a value other than undefined. On timeout it fails with what it last saw
 * (the last error or the last observation), which is what a person needs to know.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions & { describe?: () => string },
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.monotonic() + options.timeoutMs;
  let last = "nothing yet";
  for (;;) {
    if (options.signal?.aborted) throw new LabError("STARTUP", `stopped while waiting for ${options.what}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = options.describe?.() ?? "not ready";
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (clock.monotonic() >= deadline) {
      throw new LabError(
        "STARTUP",
        `${options.what} was not ready after ${Math.round(options.timeoutMs / 1000)} s (last seen: ${last})`,
        {
          retriable: true,
        },
      );
    }
    await clock.sleep(options.intervalMs ?? 250);
  }
}
