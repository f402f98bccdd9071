import { systemClock } from "../core/clock.ts";
import { median } from "../core/stats.ts";
import { startLocalStack } from "../infra/local/local-stack.ts";

export interface StartupFigures {
  brokers: 1 | 3;
  /** Start call to a stack that has created a replicated topic and whose Prometheus scrapes every target. */
  samplesMs: number[];
  medianMs: number;
  aimMs: number;
}

/** The aims for the ZooKeeper stack with Prometheus. */
export const STARTUP_AIMS_MS = { 1: 15_000, 3: 30_000 } as const;

/**
 * Starts, times and stops the local stack (ZooKeeper and Prometheus, 1 then 3 brokers) `repeats` times,
 * alternating the shapes so a burst of load elsewhere on the machine does not land on one shape only.
 */
export async function benchStartup(repeats: number, log: (line: string) => void): Promise<StartupFigures[]> {
  const samples: Record<1 | 3, number[]> = { 1: [], 3: [] };
  for (let round = 1; round <= repeats; round += 1) {
    for (const brokers of [1, 3] as const) {
      const started = systemClock.monotonic();
      const stack = await startLocalStack({ brokers, kraft: false, prometheus: true, log: () => {} });
      const readyMs = systemClock.monotonic() - started;
      await stack.stop();
      samples[brokers].push(readyMs);
      log(
        `startup: ${brokers} broker(s), round ${round}/${repeats}: ready in ${(readyMs / 1000).toFixed(1)} s`,
      );
    }
  }
  return ([1, 3] as const).map((brokers) => ({
    brokers,
    samplesMs: samples[brokers],
    medianMs: median(samples[brokers]),
    aimMs: STARTUP_AIMS_MS[brokers],
  }));
}
