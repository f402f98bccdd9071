import type { SendSchedule } from "../../pipeline/producer/schedule.ts";

/** Which of N load driver processes this is: `index` from 0 to `processes` − 1. */
export interface ProducerSlot {
  index: number;
  processes: number;
}

/**
 * Process k of N takes the run's events i with i mod N = k, each at the due time the whole schedule gives
 * it: its j-th event is the run's event k + j·N. So N processes started on one clock send exactly the
 * events one process would, at the same times, whichever machine each runs on.
 */
export function shareOf(schedule: SendSchedule, slot: ProducerSlot): SendSchedule {
  const { index, processes } = slot;
  return {
    dueTime: (j) => schedule.dueTime(index + j * processes),
    dueCount: (elapsedMs) => shareCount(schedule.dueCount(elapsedMs), slot),
  };
}

/** How many of the run's first `count` events fall to this process. */
export function shareCount(count: number, slot: ProducerSlot): number {
  return Math.max(0, Math.ceil((count - slot.index) / slot.processes));
}

/** The run's index of this process's `j`-th event. */
export function runIndex(j: number, slot: ProducerSlot): number {
  return slot.index + j * slot.processes;
}

/**
 * Each process draws its events from its own seed, so that N processes do not send N copies of one
 * sequence; process 0 keeps the run's seed, and the same seed and N make the same events again.
 */
export function seedOf(seed: number, slot: ProducerSlot): number {
  return slot.index === 0 ? seed : (seed + Math.imul(slot.index, 0x9e3779b1)) >>> 1;
}
