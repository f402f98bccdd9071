import { describe, expect, it } from "vitest";
import { gdbFailure } from "./native-stacks.ts";

describe("gdbFailure", () => {
  it("says gdb ran out of time when it was killed at its limit, which leaves no message of its own", () => {
    const killed = Object.assign(new Error("Command failed: gdb -p 1"), {
      killed: true,
      signal: "SIGTERM" as const,
    });
    expect(gdbFailure(killed, "")).toBe("it did not finish within 20 s (a loaded machine) and was stopped");
  });

  it("gives gdb's last line of complaint, else the error, never an empty reason", () => {
    expect(gdbFailure(new Error("x"), "warning: …\nptrace: Operation not permitted.\n")).toBe(
      "ptrace: Operation not permitted.",
    );
    expect(gdbFailure(new Error("Command failed: gdb -p 1"), "  \n")).toBe("Command failed: gdb -p 1");
    expect(gdbFailure(null, "")).toBe("it printed no thread");
  });
});
