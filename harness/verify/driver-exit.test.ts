import { describe, expect, it } from "vitest";
import type { DriverExit } from "../load/external-driver.ts";
import { driverExitAssertion } from "./driver-exit.ts";

const exit = (over: Partial<DriverExit>): DriverExit => ({
  command: "kcat -P -b x -t user-login",
  code: 0,
  signal: null,
  stoppedByLab: false,
  logFile: "/tmp/driver.log",
  logTail: "% ERROR: boom",
  ...over,
});

describe("driverExitAssertion", () => {
  it("passes a driver that exited 0 on its own", () => {
    expect(driverExitAssertion(exit({})).pass).toBe(true);
  });

  it("passes a driver the lab stopped at the end of the load, whatever its exit then", () => {
    const a = driverExitAssertion(exit({ code: null, signal: "SIGTERM", stoppedByLab: true }));
    expect(a.pass).toBe(true);
    expect(a.observed).toBe("stopped by the lab at the end of the load (then killed by SIGTERM)");
  });

  it("fails a driver that exited non-zero on its own, naming the exit, the command and its last lines", () => {
    const a = driverExitAssertion(exit({ code: 3 }));
    expect(a.pass).toBe(false);
    expect(a.observedValue).toBe(3);
    expect(a.observed).toBe("exit 3");
    expect(a.detail).toContain("`kcat -P -b x -t user-login` ended with exit 3");
    expect(a.detail).toContain("% ERROR: boom");
  });

  it("fails a driver killed by a signal the lab did not send", () => {
    const a = driverExitAssertion(exit({ code: null, signal: "SIGKILL" }));
    expect(a.pass).toBe(false);
    expect(a.observed).toBe("killed by SIGKILL");
  });
});
