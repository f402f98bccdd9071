import { describe, expect, it } from "vitest";
import type { Snapshot } from "../observe/sample.ts";
import { formatProgress, ProgressPrinter, progressReader } from "./progress.ts";

const snapshot: Snapshot = {
  elapsedMs: 12_000,
  targetRate: 2_000,
  achievedRate: 1_987,
  aggregatedRate: 1_500,
  lagOffsets: 4_213,
  lagSeconds: 2.14,
  lagStatus: "OK",
  latencyP99Ms: 0,
  latencyP99RunMs: 2_500,
  sendDelayP99Ms: 3,
  partitions: [],
  cpuCores: {},
  driverThreadBusy: 0,
};

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, columns: 200, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream,
  };
}

describe("progress", () => {
  it("shows elapsed and remaining time, rates, lag with its status, and p99", () => {
    const line = formatProgress("smoke", "load", snapshot, 20_000);
    expect(line).toContain("12s/20s (8s left)");
    expect(line).toMatch(/target 2,000/);
    expect(line).toMatch(/achieved 1,987/);
    expect(line).toContain("lag 4,213 (2.1 s) OK");
    expect(line).toMatch(/p99 2[.,]5/);
  });

  it("shows an unmeasured lag as unknown, never as 0 and OK", () => {
    const line = formatProgress(
      "smoke",
      "load",
      { ...snapshot, lagOffsets: null, lagSeconds: null, lagStatus: "UNKNOWN" },
      20_000,
    );
    expect(line).toContain("lag ? (? s) UNKNOWN");
  });

  it("says how long it has been draining once the load is over", () => {
    expect(formatProgress("smoke", "drain", { ...snapshot, elapsedMs: 23_000 }, 20_000)).toContain(
      "draining 3s",
    );
  });

  it("rewrites one line on a terminal and prints a plain line every few seconds elsewhere", () => {
    const tty = fakeStream(true);
    const tp = new ProgressPrinter(tty.stream, 5_000);
    tp.update("a", 0);
    tp.update("b", 1_000);
    expect(tty.writes.every((w) => w.startsWith("\r"))).toBe(true);

    const plain = fakeStream(false);
    const pp = new ProgressPrinter(plain.stream, 5_000);
    for (let t = 0; t <= 10_000; t += 1_000) pp.update(`at ${t}`, t);
    expect(plain.writes).toEqual(["at 0\n", "at 5000\n", "at 10000\n"]);
  });

  it("shows the timeline's samples of the load and the drain, labelled by phase, and none while settling", () => {
    const lines: string[] = [];
    const read = progressReader("smoke", 30_000, (line) => lines.push(line));
    const sample = { kind: "sample", sample: snapshot } as Parameters<typeof read>[0];
    read(sample);
    read({ kind: "phase", phase: "load", atMs: 0 });
    read(sample);
    read({ kind: "phase", phase: "drain", atMs: 30_000 });
    read(sample);
    read({ kind: "phase", phase: "settle", atMs: 31_000 });
    read(sample);
    expect(lines).toEqual([
      formatProgress("smoke", "load", snapshot, 30_000),
      formatProgress("smoke", "drain", snapshot, 30_000),
    ]);
  });
});
