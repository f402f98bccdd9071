import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.ts";
import { LabError } from "../../core/errors.ts";
import { type BrokerControl, containerFaults } from "./faults.ts";

function fakeBroker(id: number, calls: string[], failing?: string): BrokerControl {
  const act = (name: string) => async () => {
    if (name === failing) throw new Error("engine said no");
    calls.push(`${name}:${id}`);
  };
  return {
    id,
    kill: act("kill"),
    stop: act("stop"),
    pause: act("pause"),
    unpause: act("unpause"),
    restart: act("restart"),
  };
}

describe("containerFaults", () => {
  it("applies each action to the broker named, and records it with the signal and time", async () => {
    const calls: string[] = [];
    const clock = new ManualClock(1_000);
    const faults = containerFaults(
      [1, 2, 3].map((id) => fakeBroker(id, calls)),
      clock,
    );

    await faults.apply("kill", 2);
    clock.advance(500);
    await faults.apply("pause", 3);
    await faults.apply("resume", 3);
    await faults.apply("stop", 1);
    await faults.apply("restart", 1);

    expect(calls).toEqual(["kill:2", "pause:3", "unpause:3", "stop:1", "restart:1"]);
    expect(faults.history.map((f) => [f.action, f.target, f.signal, f.at])).toEqual([
      ["kill", "broker:2", "SIGKILL", 1_000],
      ["pause", "broker:3", undefined, 1_500],
      ["resume", "broker:3", undefined, 1_500],
      ["stop", "broker:1", "SIGTERM", 1_500],
      ["restart", "broker:1", "SIGTERM", 1_500],
    ]);
  });

  it("refuses a broker id that does not exist, naming the ones that do", async () => {
    const faults = containerFaults([fakeBroker(1, [])], new ManualClock());
    await expect(faults.apply("kill", 4)).rejects.toThrow(/there is no broker 4; brokers are 1/);
    expect(faults.history).toEqual([]);
  });

  it("reports a failed action as a Kafka error and leaves it out of the history", async () => {
    const faults = containerFaults([fakeBroker(1, [], "pause")], new ManualClock());
    const error = await faults.apply("pause", 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe("KAFKA");
    expect((error as LabError).message).toContain("pause of broker 1 failed: engine said no");
    expect(faults.history).toEqual([]);
  });
});
