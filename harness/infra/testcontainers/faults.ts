import type { Clock } from "../../core/clock.ts";
import { LabError } from "../../core/errors.ts";
import type { FaultAction, FaultControls, InfraFault } from "../types.ts";

/** What the container runtime does to one broker's container. */
export interface BrokerControl {
  readonly id: number;
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL once the grace period is over; the container stays, stopped. */
  stop(): Promise<void>;
  /** Freezes every process of the container (cgroup freezer); the broker stops answering. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Stops gracefully when running, starts again, and resolves once the broker serves. */
  restart(): Promise<void>;
}

/** The signal each action sends to the broker's JVM; pause and resume freeze it without a signal. */
const SIGNALS: Record<FaultAction, string | undefined> = {
  kill: "SIGKILL",
  stop: "SIGTERM",
  pause: undefined,
  resume: undefined,
  restart: "SIGTERM",
};

export function containerFaults(brokers: BrokerControl[], clock: Clock): FaultControls {
  const history: InfraFault[] = [];
  return {
    history,
    apply: async (action, brokerId) => {
      const broker = brokers.find((b) => b.id === brokerId);
      if (!broker) {
        throw new LabError(
          "USAGE",
          `there is no broker ${brokerId}; brokers are ${brokers.map((b) => b.id).join(", ")}`,
        );
      }
      const at = clock.now();
      const run: Record<FaultAction, () => Promise<void>> = {
        kill: () => broker.kill(),
        stop: () => broker.stop(),
        pause: () => broker.pause(),
        resume: () => broker.unpause(),
        restart: () => broker.restart(),
      };
      try {
        await run[action]();
      } catch (error) {
        throw new LabError("KAFKA", `${action} of broker ${brokerId} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      // A container's pid lives in the engine's namespace (perhaps a VM): it means nothing to the lab.
      const fault: InfraFault = {
        action,
        target: `broker:${brokerId}`,
        pid: undefined,
        signal: SIGNALS[action],
        at,
      };
      history.push(fault);
      return fault;
    },
  };
}
