import { runMutant } from "./mutant-aggregator.ts";

/** The Fetch seed's own bug: every record is counted twice. */
await runMutant("double-count", {
  countEachRecord: 2,
  commitOutsideTransaction: false,
  dropFailedWindow: false,
});
