import { runMutant } from "./mutant-aggregator.ts";

/**
 * At least once: offsets are committed as records are read, outside the transaction that publishes the
 * window, so a crash mid-window loses the records of the window it had open.
 */
await runMutant("at-least-once", { offsets: "as-read" });
