import { planWindow } from "../../../pipeline/consumer/commit-plan.ts";
import { runMutant } from "./mutant-aggregator.ts";

/**
 * The librdkafka aggregator's wedge of issue 16 (finding 3), reduced to its effect: a member that holds its
 * partitions in the group, reads and heartbeats, but never publishes a window or commits an offset. Its
 * client id follows the pipeline's (`login-aggregator-<pid>-…`) so the lab can name it by consumer index.
 */
await runMutant(
  "wedge",
  {
    plan: (partition, window, aggregator) => ({
      ...planWindow(partition, window, aggregator),
      records: [],
      deadLetters: [],
      nextOffset: undefined,
    }),
  },
  `${process.pid}-wedge`,
);
