import { planWindow } from "../../../pipeline/consumer/commit-plan.ts";
import { runMutant } from "./mutant-aggregator.ts";

/**
 * The Fetch seed's own bug: every record is counted twice. Each window's analytics records and dead letters
 * go out twice, so that each record it publishes stays self-consistent and the double count must be found
 * across records.
 */
await runMutant("double-count", {
  plan: (partition, window, aggregator) => {
    const plan = planWindow(partition, window, aggregator);
    return {
      ...plan,
      records: [...plan.records, ...plan.records],
      deadLetters: [...plan.deadLetters, ...plan.deadLetters],
    };
  },
});
