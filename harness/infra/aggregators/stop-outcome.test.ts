import { describe, expect, it } from "vitest";
import { lastErrorLine, type StopOutcome, stopAssertion } from "./stop-outcome.ts";

const clean: StopOutcome = {
  index: 0,
  pid: 100,
  how: "stopped",
  exit: { code: 0, signal: null },
  logFile: "/logs/consumer-0.log",
};

describe("stopAssertion", () => {
  it("passes when every aggregator exited 0 on SIGTERM", () => {
    const assertion = stopAssertion([clean, { ...clean, index: 1, pid: 101 }]);
    expect(assertion).toMatchObject({ pass: true, observedValue: 0, observed: "all 2 did" });
    expect(assertion.detail).toBeUndefined();
  });

  it("fails naming an aggregator SIGKILLed after its grace, with its log and last error", () => {
    const hung: StopOutcome = {
      index: 1,
      pid: 4242,
      how: "stopped",
      exit: { code: null, signal: "SIGKILL" },
      killedAfterGraceMs: 30_000,
      logFile: "/logs/consumer-1.log",
      lastErrorLine: "error: commit failed: Unknown member",
    };
    const assertion = stopAssertion([clean, hung]);
    expect(assertion).toMatchObject({ pass: false, observedValue: 1, observed: "1 of 2 did not" });
    expect(assertion.detail).toBe(
      "consumer-1 (pid 4242) did not exit within 30 s of SIGTERM and was SIGKILLed (ended by SIGKILL); log /logs/consumer-1.log, last error: error: commit failed: Unknown member",
    );
  });

  it("says where a hung aggregator's stacks went", () => {
    const hung: StopOutcome = {
      ...clean,
      exit: { code: null, signal: "SIGKILL" },
      killedAfterGraceMs: 30_000,
      stacks: "its threads' stacks were not taken: gdb is not installed (apt-get install gdb)",
    };
    expect(stopAssertion([hung]).detail).toMatch(
      /was SIGKILLed \(ended by SIGKILL\); its threads' stacks were not taken: gdb is not installed \(apt-get install gdb\); log /,
    );
  });

  it("fails an aggregator that exited non-zero on SIGTERM, and one that had died unasked", () => {
    const assertion = stopAssertion([
      { ...clean, exit: { code: 3, signal: null } },
      { ...clean, index: 1, pid: 7, how: "exited unasked", exit: { code: 1, signal: null } },
    ]);
    expect(assertion.pass).toBe(false);
    expect(assertion.observedValue).toBe(2);
    expect(assertion.detail).toContain("consumer-0 (pid 100) exited with code 3 on SIGTERM");
    expect(assertion.detail).toContain(
      "consumer-1 (pid 7) had exited unasked before the end of the run (exited with code 1)",
    );
  });
});

describe("lastErrorLine", () => {
  it("finds the last line naming an error", () => {
    const log = ['{"event":"ready"}', "Error: first", "window 1–2 committed", "fatal: second", "bye"].join(
      "\n",
    );
    expect(lastErrorLine(log)).toBe("fatal: second");
  });

  it("says nothing when no line names one", () => {
    expect(lastErrorLine("all good\nstill good")).toBeUndefined();
  });
});
