import { runMutant } from "./mutant-aggregator.ts";

/**
 * Drop on fence: a window whose transaction fails (its producer fenced by another owner after a freeze)
 * is dropped and reading goes on with no rewind, with the producer at hand, so a later window commits
 * offsets past its records, or every later window fails too and the partition is never drained.
 */
await runMutant("drop-on-fence", { afterFailure: "drop" });
