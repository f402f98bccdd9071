import type { SeriesGap } from "./types.ts";

/**
 * The seconds in which a figure could not be measured, and why. Consecutive seconds with the same figure
 * and reason become one entry, so a 20 s broker outage is one line in the report, not twenty.
 */
export class GapLog {
  readonly gaps: SeriesGap[] = [];
  private readonly open = new Map<string, SeriesGap>();

  /** Notes that `what` was not measured at second `t` (of the series) because of `reason`. */
  add(what: string, t: number, reason: string): void {
    const last = this.open.get(what);
    if (last && last.reason === reason) {
      last.toS = t;
      last.samples += 1;
      return;
    }
    const gap = { what, fromS: t, toS: t, samples: 1, reason };
    this.gaps.push(gap);
    this.open.set(what, gap);
  }

  /** Marks `what` as measured at `t`: the next gap starts a new entry. */
  measured(what: string): void {
    this.open.delete(what);
  }
}
