import type { Assertion } from "../core/assertion.ts";
import type { FaultRecord } from "../faults/types.ts";
import type { Scenario } from "../scenario/types.ts";
import { rebalancePauses } from "./rebalance-pause.ts";
import { throttleAssertions, throttleFigures } from "./throttle-figures.ts";
import type { RebalancePause, Series, ThrottleFigures } from "./types.ts";

/**
 * What the faults on the timeline did to the lag: per throttle its growth, drain and lag status episode
 * (with its assertions), per membership change the rebalance's pause. Absent when there was no such fault.
 */
export function faultFigures(
  series: Series,
  faults: readonly FaultRecord[],
  scenario: Scenario,
): { throttles?: ThrottleFigures[]; rebalancePauses?: RebalancePause[]; assertions: Assertion[] } {
  const toS = (ms: number) => Math.round(ms / 100) / 10;
  const throttles = faults.flatMap((f) =>
    f.throttle ? [throttleFigures(series, toS(f.atMs), toS(f.throttle.releasedAtMs))] : [],
  );
  const pauses = rebalancePauses(series, faults, scenario.windowMs / 1000);
  const drainWithinMs = scenario.thresholds.drainWithinMs ?? scenario.drainTimeoutMs;
  return {
    ...(throttles.length > 0 ? { throttles } : {}),
    ...(pauses.length > 0 ? { rebalancePauses: pauses } : {}),
    assertions: throttles.flatMap((figures) => throttleAssertions(figures, drainWithinMs)),
  };
}
