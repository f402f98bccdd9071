import type { Clock } from "../core/clock.ts";
import type { InfraFault } from "../infra/types.ts";

/** How long a rolling restart waits, by default, for every partition to be in sync after a broker starts. */
export const IN_SYNC_TIMEOUT_MS = 60_000;
const POLL_MS = 500;

export interface RollingRestartDeps {
  brokerIds: readonly number[];
  /** Stops the broker cleanly (SIGTERM, controlled shutdown), starts it again, and returns once it serves. */
  restart(brokerId: number): Promise<InfraFault>;
  /** What is not in sync right now ("user-login/3: ISR 1,3 of 1,2,3"); empty when every replica is. */
  outOfSync(): Promise<string[]>;
  clock: Clock;
  timeoutMs: number;
  /**
   * Set for an impatient operator (or a pod schedule): the next broker is restarted this long after the
   * previous one started again, in sync or not, and nothing is checked before the first.
   */
  noWaitGapMs?: number;
}

/** One broker's turn: when its restart began and ended (epoch ms), and how long it took to be in sync. */
export interface RollingStep {
  brokerId: number;
  atMs: number;
  doneAtMs?: number;
  pid?: number;
  signal?: string;
  inSyncWaitMs?: number;
  /** The restart as the stack reported it: how long the broker took to serve, in how many launches. */
  restart?: InfraFault;
  error?: string;
}

/**
 * An operator's rolling restart: with every partition in sync, restart one broker, wait until every
 * partition is fully in sync again (bounded by `timeoutMs`), then the next. A broker that does not get back
 * in sync ends the restart: its step carries the reason, and the brokers after it are reported as not
 * restarted, so the run fails by name instead of bouncing a second replica of an under-replicated partition.
 */
export async function rollingRestart(
  deps: RollingRestartDeps,
  onStep: (step: RollingStep) => void,
): Promise<void> {
  const { clock } = deps;
  if (deps.noWaitGapMs !== undefined) return restartOnSchedule(deps, deps.noWaitGapMs, onStep);
  const before = await waitInSync(deps);
  let stopped =
    before.ok === false
      ? `the cluster was not in sync before the rolling restart: ${before.lastSeen}`
      : undefined;
  for (const brokerId of deps.brokerIds) {
    const atMs = clock.now();
    if (stopped !== undefined) {
      onStep({ brokerId, atMs, error: `not restarted: ${stopped}` });
      continue;
    }
    let fault: InfraFault;
    try {
      fault = await deps.restart(brokerId);
    } catch (error) {
      stopped = `broker ${brokerId} could not be restarted`;
      onStep({ brokerId, atMs, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const doneAtMs = clock.now();
    const hit = {
      brokerId,
      atMs,
      doneAtMs,
      ...(fault.pid ? { pid: fault.pid } : {}),
      ...(fault.signal ? { signal: fault.signal } : {}),
      restart: fault,
    };
    const inSync = await waitInSync(deps);
    if (inSync.ok) {
      onStep({ ...hit, inSyncWaitMs: clock.now() - doneAtMs });
    } else {
      stopped = `broker ${brokerId} did not get back in sync`;
      onStep({
        ...hit,
        error: `not in sync within ${deps.timeoutMs / 1000} s of broker ${brokerId}'s start (last seen: ${inSync.lastSeen})`,
      });
    }
  }
}

/**
 * Each broker in turn, `gapMs` after the previous one started again. A broker that could not be restarted
 * stops the rest, since restarting another would take a second replica away.
 */
async function restartOnSchedule(
  deps: RollingRestartDeps,
  gapMs: number,
  onStep: (step: RollingStep) => void,
): Promise<void> {
  const { clock } = deps;
  let stopped: string | undefined;
  for (const [i, brokerId] of deps.brokerIds.entries()) {
    if (stopped !== undefined) {
      onStep({ brokerId, atMs: clock.now(), error: `not restarted: ${stopped}` });
      continue;
    }
    if (i > 0) await clock.sleep(gapMs);
    const atMs = clock.now();
    try {
      const fault = await deps.restart(brokerId);
      onStep({
        brokerId,
        atMs,
        doneAtMs: clock.now(),
        ...(fault.pid ? { pid: fault.pid } : {}),
        ...(fault.signal ? { signal: fault.signal } : {}),
      });
    } catch (error) {
      stopped = `broker ${brokerId} could not be restarted`;
      onStep({ brokerId, atMs, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Polls until every partition is fully in sync, or `timeoutMs` has passed (then with what it last saw). */
export async function waitInSync(
  deps: Pick<RollingRestartDeps, "outOfSync" | "clock" | "timeoutMs">,
): Promise<{ ok: true } | { ok: false; lastSeen: string }> {
  const deadline = deps.clock.monotonic() + deps.timeoutMs;
  let lastSeen = "no answer yet";
  for (;;) {
    try {
      const behind = await deps.outOfSync();
      if (behind.length === 0) return { ok: true };
      lastSeen = `${behind.length} not in sync: ${behind.slice(0, 3).join("; ")}${behind.length > 3 ? "; …" : ""}`;
    } catch (error) {
      lastSeen = error instanceof Error ? error.message : String(error);
    }
    if (deps.clock.monotonic() >= deadline) return { ok: false, lastSeen };
    await deps.clock.sleep(POLL_MS);
  }
}
