import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appendNativeStacks, groupMembers } from "./native-stacks.ts";
import { ManagedProcess } from "./process.ts";

// A real process that ignores SIGTERM, as an aggregator hung in a native close does (chaos seed 6 on
// librdkafka): the lab must take its stacks before the SIGKILL, and only then.
describe("a process that will not exit on SIGTERM", () => {
  let child: ManagedProcess | undefined;
  afterEach(async () => {
    child?.signal("SIGKILL");
    await child?.waitForExit(5_000);
  });

  function stubborn(dir: string): ManagedProcess {
    return new ManagedProcess({
      name: "stubborn",
      command: process.execPath,
      args: [
        "-e",
        "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000)",
      ],
      logFile: join(dir, "stubborn.log"),
    });
  }

  it("has every thread's native stack written to its log before it is SIGKILLed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "native-stacks-"));
    child = stubborn(dir);
    child.start();
    const pid = child.pid ?? -1;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(groupMembers(pid)).toEqual([pid]);

    let note: string | undefined;
    const inGrace = await child.terminate(1_000, async () => {
      expect(child?.running).toBe(true);
      note = await appendNativeStacks(pid, child?.spec.logFile ?? "");
    });

    expect(inGrace).toBe(false);
    expect(child.exit?.signal).toBe("SIGKILL");
    expect(note).toBe("its threads' native stacks before SIGKILL are at the end of its log");
    const log = readFileSync(join(dir, "stubborn.log"), "utf8");
    expect(log).toContain("ignoring SIGTERM");
    expect(log).toContain(`--- pid ${pid}: every thread's native stack (gdb) ---`);
    expect(log).toMatch(/^Thread \d+ .*\n#0 /m);
    // The main thread waits in the event loop, as a wedged one would show its native call instead.
    expect(log).toMatch(/epoll_wait|epoll_pwait/);
  });

  it("takes no stacks from one that exits within its grace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "native-stacks-"));
    child = new ManagedProcess({
      name: "obliging",
      command: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)"],
      logFile: join(dir, "obliging.log"),
    });
    child.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    let called = false;
    const inGrace = await child.terminate(5_000, async () => {
      called = true;
    });
    expect(inGrace).toBe(true);
    expect(called).toBe(false);
    expect(child.exit?.signal).toBe("SIGTERM");
  });
});
