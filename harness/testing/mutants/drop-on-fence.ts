import { runMutant } from "./mutant-aggregator.ts";

/**
 * Drop on fence: a window whose transaction fails (its producer fenced by another owner after a freeze)
 * is dropped and reading goes on with no rewind, so a later window commits offsets past its records.
 */
await runMutant("drop-on-fence", {
  countEachRecord: 1,
  commitOutsideTransaction: false,
  dropFailedWindow: true,
});
