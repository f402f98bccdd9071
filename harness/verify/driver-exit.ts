import type { Assertion } from "../core/assertion.ts";
import type { DriverExit } from "../load/external-driver.ts";

/**
 * An external driver must exit 0 on its own, or run until the lab stops it at the end of the load (how it
 * exits then is its way of stopping, not a failure). Any other exit means it gave up part way: the topic
 * holds whatever it wrote, which the verdict would otherwise accept as the whole load.
 */
export function driverExitAssertion(exit: DriverExit): Assertion {
  const pass = exit.stoppedByLab || exit.code === 0;
  const ended = exit.code !== null ? `exit ${exit.code}` : `killed by ${exit.signal ?? "an unknown signal"}`;
  return {
    name: "load driver exited cleanly",
    relation: "=",
    expectedValue: 0,
    observedValue: exit.stoppedByLab ? "stopped by the lab" : exit.code,
    expected: "exit 0, or still running when the load ended",
    observed: exit.stoppedByLab ? `stopped by the lab at the end of the load (then ${ended})` : ended,
    pass,
    ...(pass
      ? {}
      : {
          detail: `the driver command \`${exit.command}\` ended with ${ended} before the load was over; its last lines (${exit.logFile}): ${exit.logTail}`,
        }),
  };
}
