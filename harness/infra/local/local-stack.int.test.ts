import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { createKafka } from "../../../pipeline/kafka/client.ts";
import { waitFor } from "../../core/wait-for.ts";
import { uniqueName } from "../../testing/kafka.ts";
import { PrometheusApi } from "../prometheus-api.ts";
import { roundTrip } from "../round-trip.ts";
import type { StartedStack } from "../types.ts";
import { startLocalStack } from "./local-stack.ts";
import { REPO_ROOT } from "./provision.ts";

const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** Pids of live processes whose command line mentions `marker`. */
function processesMentioning(marker: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The state letter of a process (R, S, T…), or undefined when it no longer exists. */
function processState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}

async function startOwnStack(options: {
  brokers: 1 | 3;
  kraft: boolean;
  prometheus: boolean;
}): Promise<StartedStack> {
  const stack = await startLocalStack({ ...options, log });
  onTestFinished(() => stack.stop());
  return stack;
}

describe("the shared local stack (ZooKeeper, 1 broker, Prometheus)", () => {
  const shared = inject("stack");
  const connection = { brokers: shared.bootstrapServers };

  it("round-trips records", async () => {
    const values = await roundTrip(connection, {
      topic: uniqueName("rt"),
      count: 500,
      partitions: 3,
      replicationFactor: 1,
    });
    expect(new Set(values).size).toBe(500);
  });

  it("has every Prometheus target up, and the JMX exporter counts messages in after traffic", async () => {
    const prometheus = new PrometheusApi(shared.prometheusUrl);
    const up = await prometheus.query("up");
    expect(up.length).toBeGreaterThan(0);
    expect(up.every((s) => s.value === 1)).toBe(true);

    const topic = uniqueName("jmx");
    await roundTrip(connection, { topic, count: 200, partitions: 1, replicationFactor: 1 });
    const messagesIn = await waitFor(
      async () => {
        const samples = await prometheus.query(
          `sum(kafka_server_brokertopicmetrics_messagesin_total{topic="${topic}"})`,
        );
        return samples[0] && samples[0].value >= 200 ? samples[0].value : undefined;
      },
      { what: "messages-in for the test topic in Prometheus", timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(messagesIn).toBe(200);
  });
});

describe("own stacks", () => {
  it("starts 3 brokers, creates a topic with replication factor 3 and round-trips records", async () => {
    const stack = await startOwnStack({ brokers: 3, kraft: false, prometheus: false });
    expect(stack.bootstrapServers()).toHaveLength(3);
    const topic = uniqueName("rf3");
    const values = await roundTrip(stack.connection(), {
      topic,
      count: 300,
      partitions: 6,
      replicationFactor: 3,
    });
    expect(new Set(values).size).toBe(300);

    const admin = createKafka(stack.connection(), "rf3-check").admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(6);
    for (const partition of partitions) {
      expect(partition.replicas).toHaveLength(3);
      expect(partition.isr).toHaveLength(3);
    }
    // Ready includes the transaction log, which the broker creates only when a transactional producer asks.
    const log = await admin.fetchTopicMetadata({ topics: ["__transaction_state"] });
    const logPartitions = log.topics[0]?.partitions ?? [];
    expect(logPartitions).toHaveLength(10);
    expect(logPartitions.every((p) => p.leader >= 0 && p.replicas.length === 3)).toBe(true);

    // Fault controls: a broker killed, the cluster still takes acks=all writes (min ISR 2), the broker back.
    const producer = createKafka(stack.connection(), "fault-check").producer({ idempotent: true });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const killed = await stack.faults.apply("kill", 2);
    expect(killed).toMatchObject({ action: "kill", target: "broker:2", signal: "SIGKILL" });
    expect(processState(killed.pid as number)).toBeUndefined();
    // Until the controller notices the death (a ZooKeeper session timeout), sends to its partitions fail.
    await waitFor(
      async () => {
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key: "k", value: "written with a broker down" }],
        });
        return true;
      },
      { what: "an acks=all write with broker 2 down", timeoutMs: 60_000, intervalMs: 500 },
    );
    const restarted = await stack.faults.apply("restart", 2);
    expect(restarted.pid).not.toBe(killed.pid);
    await waitFor(async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined), {
      what: "broker 2 to rejoin",
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    // Signals arrive asynchronously: wait for the kernel to show the stopped and the running state.
    const stateBecomes = (pid: number, wanted: (state: string | undefined) => boolean, what: string) =>
      waitFor(() => (wanted(processState(pid)) ? true : undefined), {
        what,
        timeoutMs: 5_000,
        intervalMs: 50,
      });
    const paused = await stack.faults.apply("pause", 3);
    await stateBecomes(paused.pid as number, (s) => s === "T", "broker 3 to be stopped by SIGSTOP");
    await stack.faults.apply("resume", 3);
    await stateBecomes(paused.pid as number, (s) => s !== undefined && s !== "T", "broker 3 to run again");
    expect(stack.faults.history.map((f) => `${f.action}:${f.signal}`)).toEqual([
      "kill:SIGKILL",
      "restart:SIGTERM",
      "pause:SIGSTOP",
      "resume:SIGCONT",
    ]);
    expect(stack.faults.history.every((f) => typeof f.pid === "number" && f.at > 0)).toBe(true);
  });

  it("runs in KRaft mode and round-trips records", async () => {
    const stack = await startOwnStack({ brokers: 1, kraft: true, prometheus: false });
    const values = await roundTrip(stack.connection(), {
      topic: uniqueName("kraft"),
      count: 200,
      partitions: 2,
      replicationFactor: 1,
    });
    expect(new Set(values).size).toBe(200);
  });

  it("runs without Prometheus when it is not installed, and says what that disables", async () => {
    const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };
    onTestFinished(() => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    process.env.JAVA_HOME = dirname(
      dirname(realpathSync(execFileSync("sh", ["-c", "command -v java"], { encoding: "utf8" }).trim())),
    );
    process.env.PATH = "/nonexistent";
    const lines: string[] = [];
    const stack = await startLocalStack({
      brokers: 1,
      kraft: false,
      prometheus: true,
      log: (line) => lines.push(line),
    });
    onTestFinished(() => stack.stop());
    expect(stack.prometheusUrl()).toBeUndefined();
    expect(lines.join("\n")).toMatch(
      /`prometheus` is not on PATH.*no broker metrics.*apt-get install prometheus/s,
    );
    const values = await roundTrip(stack.connection(), {
      topic: uniqueName("noprom"),
      count: 50,
      partitions: 1,
      replicationFactor: 1,
    });
    expect(values).toHaveLength(50);
  });

  it("leaves no process of the run behind after stop()", async () => {
    const stack = await startLocalStack({ brokers: 1, kraft: false, prometheus: true, log });
    const runDir = Object.values(stack.logFiles())[0]?.replace(/\/logs\/[^/]+$/, "") as string;
    expect(processesMentioning(runDir).length).toBeGreaterThanOrEqual(3);
    await stack.stop();
    expect(processesMentioning(runDir)).toEqual([]);
  });

  it("leaves no process behind when the lab gets SIGTERM in the middle of starting", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "lab-sigterm-"));
    onTestFinished(() => rmSync(runsDir, { recursive: true, force: true }));
    // node itself runs the lab (no npx or tsx wrapper in between), so the signal reaches the lab process.
    const lab = spawn(
      process.execPath,
      ["--import", "tsx", "harness/cli/stack.ts", "up", "--brokers-count", "3"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, LAB_RUNS_DIR: runsDir },
        stdio: "ignore",
      },
    );
    const exited = new Promise<number | null>((resolve) => lab.once("exit", (code) => resolve(code)));
    // Mid-start: the run has recorded its first processes but cannot be ready yet.
    const runDir = await waitFor(
      () => {
        const runs = readdirSync(runsDir);
        const dir = runs[0] ? join(runsDir, runs[0]) : undefined;
        if (!dir || !existsSync(join(dir, "run.json"))) return undefined;
        const processes = (
          JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { processes: unknown[] }
        ).processes;
        return processes.length >= 2 ? dir : undefined;
      },
      { what: "the lab to start its first processes", timeoutMs: 60_000, intervalMs: 100 },
    );
    lab.kill("SIGTERM");
    const code = await exited;
    expect(code).toBe(143);
    await waitFor(() => (processesMentioning(runDir).length === 0 ? true : undefined), {
      what: "every process of the run to end",
      timeoutMs: 15_000,
      describe: () => `still alive: ${processesMentioning(runDir).join(", ")}`,
    });
  });
});
