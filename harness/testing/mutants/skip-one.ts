import { planWindow } from "../../../pipeline/consumer/commit-plan.ts";
import { countRecord, type PartitionWindow } from "../../../pipeline/consumer/partition-window.ts";
import { runMutant } from "./mutant-aggregator.ts";

/** Each window's skipped record: its offset. */
const skipped = new WeakMap<PartitionWindow, bigint>();

/**
 * Skip one: the second record of each window is counted neither in the analytics nor in the dead letters,
 * yet the window publishes (and commits) its full range, so the ranges still tile the input.
 */
await runMutant("skip-one", {
  count: (windows, at, record) => {
    const window = windows.get(at.partition);
    if (window && !skipped.has(window)) {
      skipped.set(window, BigInt(record.offset));
      return;
    }
    countRecord(windows, at, record);
  },
  plan: (partition, window, aggregator) => {
    const plan = planWindow(partition, window, aggregator);
    const offset = skipped.get(window);
    const last = plan.records.at(-1);
    if (offset === undefined || last === undefined || offset <= BigInt(plan.lastOffset)) return plan;
    // The window ended on the record it skipped: its range and its committed offset still claim it.
    const lastOffset = offset.toString();
    return {
      ...plan,
      lastOffset,
      records: [...plan.records.slice(0, -1), { ...last, source: { ...last.source, to_offset: lastOffset } }],
      nextOffset: (offset + 1n).toString(),
    };
  },
});
