import type { Clock } from "../core/clock.ts";
import type { FaultRecord } from "../faults/types.ts";

/**
 * Until when a run keeps sampling after its drain so that the under-replicated partitions' time back to 0
 * is measured even when it outlasts the load: the last broker fault's end plus the scenario's bound, in
 * epoch ms. Undefined when the scenario sets no bound or hit no broker.
 */
export function urpSettleDeadline(
  faults: readonly FaultRecord[],
  withinMs: number | undefined,
  loadStartMs: number,
): number | undefined {
  const ends = faults.filter((f) => f.brokerId !== undefined).map((f) => f.doneAtMs ?? f.atMs);
  if (withinMs === undefined || ends.length === 0) return undefined;
  return loadStartMs + Math.max(...ends) + withinMs;
}

/**
 * Samples once a second while the latest URP sample is above 0 or unknown, until `deadlineMs`. Returns at
 * once when the run has no URP series (no broker metrics) or its last sample is already 0.
 */
export async function sampleUntilUrpZero(
  urp: () => readonly (number | null)[] | undefined,
  sample: () => Promise<unknown>,
  deadlineMs: number,
  clock: Clock,
  onWait: (urpNow: number | null) => void,
): Promise<void> {
  let told = false;
  for (;;) {
    const series = urp();
    if (!series || series.length === 0) return;
    const last = series[series.length - 1] ?? null;
    if (last === 0 || clock.now() >= deadlineMs) return;
    if (!told) onWait(last);
    told = true;
    await clock.sleep(1_000);
    await sample();
  }
}
