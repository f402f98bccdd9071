import { runMutant } from "./mutant-aggregator.ts";

/**
 * Skip one: the second record of each window is counted neither in the analytics nor in the dead letters,
 * yet the window publishes (and commits) its full range, so the ranges still tile the input.
 */
await runMutant("skip-one", {
  countEachRecord: 1,
  commitOutsideTransaction: false,
  dropFailedWindow: false,
  skipOneInWindow: true,
});
