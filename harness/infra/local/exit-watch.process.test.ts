import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExitWatch } from "./exit-watch.ts";
import { ManagedProcess } from "./process.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A shell standing in for a broker: what it prints goes to its log, as a JVM's output does. */
function shell(script: string): ManagedProcess {
  const dir = mkdtempSync(join(tmpdir(), "exit-watch-"));
  dirs.push(dir);
  return new ManagedProcess({
    name: "broker-2",
    command: "sh",
    args: ["-c", script],
    logFile: join(dir, "log"),
  });
}

function start(watch: ExitWatch, process: ManagedProcess): void {
  watch.starting(process);
  process.start();
}

describe("ExitWatch", () => {
  it("keeps an exit nobody asked for, with the line its last start logged", async () => {
    const watch = new ExitWatch();
    const broker = shell(
      "echo '[t] INFO starting'; echo 'java.lang.OutOfMemoryError: Java heap space'; exit 3",
    );
    // What an earlier start wrote is not this death's reason.
    writeFileSync(broker.spec.logFile, "[t] ERROR an earlier start failed\n");
    watch.watch(broker, 2);
    start(watch, broker);
    await broker.waitForExit(5_000);
    expect(watch.deaths).toEqual([
      {
        service: "broker-2",
        brokerId: 2,
        at: expect.any(Number),
        code: 3,
        signal: null,
        lastError: "java.lang.OutOfMemoryError: Java heap space",
      },
    ]);
  });

  it("keeps no exit a fault or the stack's stop asked for", async () => {
    const watch = new ExitWatch();
    const killed = shell("sleep 30");
    const stopped = shell("sleep 30");
    watch.watch(killed, 1);
    watch.watch(stopped, 2);
    start(watch, killed);
    start(watch, stopped);
    watch.ask(killed);
    killed.signal("SIGKILL");
    watch.stop();
    await stopped.terminate(5_000);
    await killed.waitForExit(5_000);
    expect(watch.deaths).toEqual([]);
  });
});
