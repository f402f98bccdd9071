import { spawn } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../../harness/infra/local/provision.ts";
import { uniqueName } from "../../harness/testing/kafka.ts";
import { createKafka } from "../kafka/client.ts";

/** `npm run consumer` as a user runs it: its exit code and what it printed. */
function consumerCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "pipeline/consumer/main.ts", ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("npm run consumer", () => {
  it("names a topic with too few partitions and how to fix it, not 'cannot reach Kafka'", async () => {
    const { bootstrapServers } = inject("stack");
    const topic = uniqueName("too-few");
    const admin = createKafka({ brokers: bootstrapServers }, "consumer-cli-test").admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const run = await consumerCli([
      "--brokers",
      bootstrapServers.join(","),
      "--input-topic",
      topic,
      "--partitions",
      "3",
      "--metrics-port",
      "0",
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: topic ${topic} has 1 partition(s) but --partitions asks for 3`);
    expect(run.stderr).toContain("  fix: run with --partitions 1");
    expect(run.stderr).not.toMatch(/cannot reach Kafka|\n\s+at /);
  });
});
