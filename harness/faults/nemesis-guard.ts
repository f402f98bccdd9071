import type { Clock } from "../core/clock.ts";
import type { FaultStep } from "../scenario/types.ts";
import { waitInSync } from "./rolling-restart.ts";

/** How long the nemesis waits for every partition to be in sync before it takes another broker away. */
export const NEMESIS_IN_SYNC_MS = 90_000;

/**
 * May a fault go ahead? `refused` says why not; `inSyncAtMs` is the clock's time at which the brokers'
 * metadata showed every partition in sync, when the guard asked before letting it go.
 */
export type GuardVerdict = { refused: string } | { refused?: undefined; inSyncAtMs?: number };

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
    before: async (step: FaultStep): Promise<GuardVerdict> => {
      if (!isBroker(step)) return {};
      const bringsBack = (step.action === "restart" || step.action === "resume") && away.has(step.target);
      if (bringsBack) {
        away.delete(step.target);
        return {};
      }
      const { outOfSync, close } = probe();
      let inSyncAtMs: number;
      try {
        const inSync = await waitInSync({ outOfSync, clock, timeoutMs });
        if (!inSync.ok)
          return {
            refused: `not applied: the cluster was not in sync ${timeoutMs / 1000} s after the previous broker fault (${inSync.lastSeen})`,
          };
        inSyncAtMs = clock.now();
      } finally {
        await close();
      }
      if (step.action === "kill" || step.action === "stop" || step.action === "pause") away.add(step.target);
      return { inSyncAtMs };
    },
  };
}
