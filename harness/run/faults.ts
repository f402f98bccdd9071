import type { Clock } from "../core/clock.ts";
import type { StartedStack } from "../infra/types.ts";
import type { FaultRecord } from "../result/types.ts";
import type { Scenario } from "../scenario/types.ts";
import type { ConsumerFleet } from "./consumer-fleet.ts";

/** Applies each fault of the scenario's timeline at its time after the start of the load, and records it. */
export function scheduleFaults(
  scenario: Scenario,
  stack: StartedStack,
  fleet: ConsumerFleet,
  loadStartMs: number,
  clock: Clock,
  faults: FaultRecord[],
  log: (line: string) => void,
): NodeJS.Timeout[] {
  return scenario.faults.map((step) =>
    setTimeout(
      () => {
        const [kind, id] = step.target.split(":");
        const atMs = clock.now() - loadStartMs;
        const applying =
          kind === "broker"
            ? stack.faults
                .apply(step.action as "kill" | "stop" | "pause" | "resume" | "restart", Number(id))
                .then((f) => ({
                  pid: f.pid,
                  signal: f.signal,
                }))
            : (step.action === "kill-consumer" ? fleet.kill(Number(id)) : fleet.restart(Number(id))).then(
                (e) => ({
                  pid: e.pid,
                  signal: e.signal,
                }),
              );
        applying.then(
          ({ pid, signal }) => {
            faults.push({
              atMs,
              action: step.action,
              target: step.target,
              ...(pid ? { pid } : {}),
              ...(signal ? { signal } : {}),
            });
            log(
              `fault at ${(atMs / 1000).toFixed(1)} s: ${step.action} ${step.target}${pid ? ` (pid ${pid})` : ""}`,
            );
          },
          (error: Error) => {
            faults.push({ atMs, action: step.action, target: step.target, note: `failed: ${error.message}` });
            log(`fault ${step.action} ${step.target} failed: ${error.message}`);
          },
        );
      },
      Math.max(0, loadStartMs + step.atMs - clock.now()),
    ),
  );
}
