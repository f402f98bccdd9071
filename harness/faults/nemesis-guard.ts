import type { Clock } from "../core/clock.ts";
import type { FaultStep } from "../scenario/types.ts";
import { waitInSync } from "./rolling-restart.ts";

/** How long the nemesis waits for every partition to be in sync before it takes another broker away. */
export const NEMESIS_IN_SYNC_MS = 90_000;
/**
 * How long a broker fault waits once the metadata says every partition is in sync: the run samples URP
 * through Prometheus once a second, and without this a fault fired 0.4 s after 29 partitions rejoined their
 * ISR, before any sample showed 0, so the URP check read the outage as never recovered (chaos seed 2).
 */
export const SEEN_IN_SYNC_MS = 2_500;

/**
 * What keeps a nemesis's schedule survivable at run time, whatever the machine's speed: its broker faults
 * run one after another (a kill waits while an earlier restart is still bringing its broker back), and a
 * fault that takes a broker away (kill, stop, pause, a clean restart, a rolling restart) waits until every
 * partition is in sync again. Past `timeoutMs` it is not applied, and the run fails naming what was
 * not in sync: a second replica down would be a fault the schedule promised not to make.
 */
export function brokerGuard(
  probe: () => { outOfSync(): Promise<string[]>; close(): Promise<void> },
  clock: Clock,
  timeoutMs = NEMESIS_IN_SYNC_MS,
) {
  const away = new Set<string>();
  const isBroker = (step: FaultStep) => !step.target.startsWith("consumer:");
  return {
    queueOf: (step: FaultStep): string | undefined => (isBroker(step) ? "nemesis:brokers" : undefined),
    /** Undefined when the fault may go ahead, else why not. */
    before: async (step: FaultStep): Promise<string | undefined> => {
      if (!isBroker(step)) return undefined;
      const bringsBack = (step.action === "restart" || step.action === "resume") && away.has(step.target);
      if (bringsBack) {
        away.delete(step.target);
        return undefined;
      }
      const { outOfSync, close } = probe();
      try {
        const inSync = await waitInSync({ outOfSync, clock, timeoutMs });
        if (!inSync.ok)
          return `not applied: the cluster was not in sync ${timeoutMs / 1000} s after the previous broker fault (${inSync.lastSeen})`;
        await clock.sleep(SEEN_IN_SYNC_MS);
      } finally {
        await close();
      }
      if (step.action === "kill" || step.action === "stop" || step.action === "pause") away.add(step.target);
      return undefined;
    },
  };
}
