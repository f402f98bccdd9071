import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../core/wait-for.ts";
import { ManagedProcess } from "../infra/local/process.ts";
import type { DutyCycle } from "./duty-cycle.ts";
import { describeThrottle, throttleConsumers } from "./throttle.ts";

const dir = mkdtempSync(join(tmpdir(), "throttle-"));
const members: ManagedProcess[] = [];

/** Two real processes, each in its own group, standing in for the fleet's aggregators. */
function fleet() {
  for (let i = 0; i < 2; i += 1) {
    const member = new ManagedProcess({
      name: `sleeper-${i}`,
      command: "sleep",
      args: ["30"],
      logFile: join(dir, `sleeper-${i}.log`),
    });
    member.start();
    members.push(member);
  }
  return {
    running: () => [0, 1],
    signallable: (index: number) => members[index] as ManagedProcess,
  };
}

const state = (pid: number | undefined) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
};

afterEach(async () => {
  for (const member of members.splice(0)) await member.terminate(1_000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("throttleConsumers", () => {
  it("throttles every running aggregator for its span and records what it did to each", async () => {
    const active = new Set<DutyCycle>();
    const step = {
      atMs: 0,
      action: "throttle-consumer" as const,
      target: "consumer:*",
      dutyPercent: 60,
      periodMs: 200,
      forMs: 1_000,
    };
    const record = await throttleConsumers(fleet(), step, active, () => 1_234);
    expect(record).toMatchObject({
      dutyPercent: 60,
      periodMs: 200,
      forMs: 1_000,
      endedBy: "span",
      releasedAtMs: 1_234,
    });
    expect(record.processes.map((p) => [p.consumerIndex, p.pid, p.cycles])).toEqual([
      [0, members[0]?.pid, 5],
      [1, members[1]?.pid, 5],
    ]);
    for (const p of record.processes) expect(p.stoppedMs).toBeGreaterThanOrEqual(550);
    expect(active.size).toBe(0);
    expect(members.map((m) => state(m.pid))).not.toContain("T");
    expect(describeThrottle(record)).toMatch(
      /^SIGSTOP 60 % of each 0.2 s for 1 s; SIGCONT at 1.2 s, at the end of its span; consumer 0 pid \d+ stopped 5× for 0.\d s, consumer 1/,
    );
  });

  it("leaves every process running when the run ends before the span does", async () => {
    const active = new Set<DutyCycle>();
    const step = {
      atMs: 0,
      action: "throttle-consumer" as const,
      target: "consumer:1",
      dutyPercent: 95,
      forMs: 30_000,
    };
    const throttled = throttleConsumers(fleet(), step, active, () => 500);
    await waitFor(() => (state(members[1]?.pid) === "T" ? true : undefined), {
      what: "consumer 1 to be stopped",
      timeoutMs: 5_000,
      intervalMs: 10,
      describe: () => `state ${state(members[1]?.pid)}`,
    });
    await Promise.all([...active].map((cycle) => cycle.release()));
    const record = await throttled;
    expect(record).toMatchObject({ endedBy: "run end", processes: [{ consumerIndex: 1, cycles: 1 }] });
    expect(state(members[1]?.pid)).not.toBe("T");
  });
});
