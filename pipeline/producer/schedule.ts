/**
 * When each event is due, in an open model: the producer sends event `index` at `dueTime(index)` however
 * slow the broker is, and records how late it went out. The harness passes its own schedules (ramps,
 * steps, spikes); the producer only needs these two views of one.
 */
export interface SendSchedule {
  /** How many events are due by `elapsedMs` after the start, counting every event since the start. */
  dueCount(elapsedMs: number): number;
  /** Milliseconds after the start when event `index` (from 0) was due. Never decreases with `index`. */
  dueTime(index: number): number;
}

/** `ratePerSec` events each second, evenly spaced, the first due at the start. */
export function constantRate(ratePerSec: number): SendSchedule {
  if (!(Number.isFinite(ratePerSec) && ratePerSec > 0)) {
    throw new RangeError(`a constant rate must be a positive number of events per second, got ${ratePerSec}`);
  }
  const dueTime = (index: number) => (index * 1000) / ratePerSec;
  return {
    dueTime,
    dueCount(elapsedMs) {
      if (elapsedMs < 0) return 0;
      // The estimate can be off by one through rounding; settle it against dueTime so the two always agree.
      let n = Math.floor((elapsedMs * ratePerSec) / 1000);
      while (dueTime(n + 1) <= elapsedMs) n++;
      while (n >= 0 && dueTime(n) > elapsedMs) n--;
      return n + 1;
    },
  };
}

/** The number of events due strictly before `endMs`: what a run of that length sends. */
export function dueBefore(schedule: SendSchedule, endMs: number): number {
  const n = schedule.dueCount(endMs);
  return n > 0 && schedule.dueTime(n - 1) >= endMs ? n - 1 : n;
}
