import type { Clock } from "./clock.ts";

export interface RetryOptions {
  /** Whether an error passes with time (a leader being elected, a topic being created). */
  passes: (error: unknown) => boolean;
  clock: Clock;
  /** No attempt starts after this (clock time); the last error is thrown. */
  untilMs: number;
  pauseMs: number;
  /** Told of each error that is waited out. */
  onRetry?: (error: unknown) => void;
}

/** Runs `work` again, `pauseMs` apart, while its error passes with time and `untilMs` has not come. */
export async function retryWhile<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!options.passes(error) || options.clock.now() > options.untilMs) throw error;
      options.onRetry?.(error);
      await options.clock.sleep(options.pauseMs);
    }
  }
}
