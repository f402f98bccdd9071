import { execFile } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";

/** How long gdb may take to attach and walk one process's threads. */
const GDB_TIMEOUT_MS = 20_000;
/** Frames per thread: enough to reach the call that waits, short enough to read in a log. */
const FRAMES = 16;

/**
 * Appends the native stack of every thread of every process in the group led by `pgid` to `logFile`, taken
 * with gdb, and says what was done. For a process that will not exit on SIGTERM: its JavaScript cannot say
 * where it hangs when the hang is a native call holding the event loop (a librdkafka close, a lock), and once
 * SIGKILLed nothing can. Without gdb the log says so and how to get it.
 */
export async function appendNativeStacks(pgid: number, logFile: string): Promise<string> {
  const pids = groupMembers(pgid);
  const sections: string[] = [];
  for (const pid of pids) {
    const taken = await gdbBacktrace(pid);
    if (taken.ok) sections.push(`--- pid ${pid}: every thread's native stack (gdb) ---\n${taken.text}`);
    else {
      appendFileSync(logFile, `\n[lab] the threads' stacks were not taken: ${taken.why}\n`);
      return `its threads' stacks were not taken: ${taken.why}`;
    }
  }
  if (sections.length === 0) return "its threads' stacks were not taken: its processes had gone";
  appendFileSync(
    logFile,
    `\n[lab] it did not exit after SIGTERM; its stacks before SIGKILL:\n${sections.join("\n")}\n`,
  );
  return "its threads' native stacks before SIGKILL are at the end of its log";
}

/** The processes whose process group is `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command's closing parenthesis: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

function gdbBacktrace(pid: number): Promise<{ ok: true; text: string } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    execFile(
      "gdb",
      ["-p", String(pid), "-batch", "-nx", "-ex", `thread apply all bt ${FRAMES}`],
      { timeout: GDB_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (code === "ENOENT") resolve({ ok: false, why: "gdb is not installed (apt-get install gdb)" });
        else if (!stdout.includes("Thread "))
          resolve({ ok: false, why: `gdb could not attach to pid ${pid}: ${gdbFailure(error, stderr)}` });
        else resolve({ ok: true, text: stdout.split("\n").filter(isStackLine).join("\n") });
      },
    );
  });
}

/** gdb's thread headers and frames, without its start-up chatter. */
function isStackLine(line: string): boolean {
  return line.startsWith("Thread ") || /^#\d+\s/.test(line);
}

/**
 * Why gdb gave no stacks. Killed at its time limit it says nothing (chaos seed 1 on librdkafka, load 40: the
 * reason read empty), so that is said for it.
 */
export function gdbFailure(
  error: (Error & { killed?: boolean; signal?: NodeJS.Signals | null }) | null,
  stderr: string,
): string {
  if (error?.killed)
    return `it did not finish within ${GDB_TIMEOUT_MS / 1000} s (a loaded machine) and was stopped`;
  const last = stderr.trim().split("\n").at(-1);
  if (last) return last;
  return error ? error.message : "it printed no thread";
}
