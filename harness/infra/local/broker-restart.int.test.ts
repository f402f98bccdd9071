import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createKafka } from "../../../pipeline/kafka/client.ts";
import { LabError } from "../../core/errors.ts";
import { waitFor } from "../../core/wait-for.ts";
import { brokerServes } from "../broker-serves.ts";
import { startLocalStack } from "./local-stack.ts";

const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** The pid of the JVM started with `propertiesFile` (unique to this stack's run folder). */
function pidOf(propertiesFile: string): number {
  const pid = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .find((d) => {
      try {
        const args = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
        return args.includes(propertiesFile) && args.includes("kafka.Kafka");
      } catch {
        return false;
      }
    });
  if (pid === undefined) throw new Error(`no process runs ${propertiesFile}`);
  return Number(pid);
}

describe("a broker restarted inside ZooKeeper's session timeout", () => {
  it("is launched again until it serves, with its launches recorded; one killed unasked or unable to start is named", async () => {
    // On a busy machine a JVM can take 18 s to reach ZooKeeper, outliving Kafka's default session on its
    // own; a 30 s session makes the restart land inside it however slow the start.
    const stack = await startLocalStack({
      brokers: 3,
      kraft: false,
      prometheus: false,
      log,
      zookeeperSessionTimeoutMs: 30_000,
    });
    onTestFinished(() => stack.stop());
    const [, second, third] = stack.bootstrapServers();

    await stack.faults.apply("kill", 2);
    // Well inside the session: ZooKeeper still holds /brokers/ids/2 for the killed process.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const restarted = await stack.faults.apply("restart", 2);
    log(`restart of broker 2: ${JSON.stringify(restarted)}`);
    expect(restarted.attempts).toBeGreaterThan(1);
    expect(restarted.retriedAfter?.[0]).toMatch(
      /node already exists and owner .* does not match current session/,
    );
    expect(restarted.startedAfterMs).toBeGreaterThan(0);
    expect(await brokerServes(stack.connection(), second as string, 2)).toBe(true);
    const admin = createKafka(stack.connection(), "stale-session-check").admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    expect((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    // Killed and restarted as the timeline asked, and its failed launches were the supervisor's: no death.
    expect(stack.unexpectedExits?.()).toEqual([]);

    // A paused broker restarts too: terminate() wakes it to act on SIGTERM.
    await stack.faults.apply("pause", 3);
    const fromPause = await stack.faults.apply("restart", 3);
    expect(fromPause.attempts).toBe(1);
    expect(await brokerServes(stack.connection(), third as string, 3)).toBe(true);

    // A death no fault asked for, as an OOM killer would deal it.
    const runFolder = dirname(dirname(stack.logFiles()["broker-3"] as string));
    process.kill(pidOf(join(runFolder, "broker-3", "server.properties")), "SIGKILL");
    const deaths = await waitFor(
      () => {
        const seen = stack.unexpectedExits?.() ?? [];
        return seen.length > 0 ? seen : undefined;
      },
      { what: "the local stack to see broker 3 die", timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(deaths).toEqual([
      expect.objectContaining({ service: "broker-3", brokerId: 3, code: null, signal: "SIGKILL" }),
    ]);

    // A broker that cannot come back: its port taken while it is down. The restart fails quoting the
    // broker's own line, and the dead broker is named as a death too.
    const [host, port] = (third as string).split(":");
    // Connections the other brokers open to it are dropped, or closing the server would wait for them.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(Number(port), host, resolve));
    onTestFinished(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const failure = await stack.faults.apply("restart", 3).catch((error: unknown) => error as Error);
    log(`restart of broker 3 with its port taken: ${(failure as Error).message}`);
    expect(failure).toBeInstanceOf(LabError);
    expect((failure as Error).message).toMatch(
      /^broker 3 did not come back: exited at start-up \(exit code \d+(, launch \d)?\); its log's last error: ".*Address already in use/,
    );
    expect(stack.unexpectedExits?.().map((d) => d.service)).toEqual(["broker-3", "broker-3"]);
    expect(stack.unexpectedExits?.()[1]?.lastError).toMatch(/Address already in use/);
  });
});

describe("a KRaft broker restarted at once", () => {
  it("is back as a registered, unfenced broker when the restart returns", async () => {
    const stack = await startLocalStack({ brokers: 3, kraft: true, prometheus: false, log });
    onTestFinished(() => stack.stop());
    await stack.faults.apply("kill", 2);
    const restarted = await stack.faults.apply("restart", 2);
    log(`restart of KRaft broker 2: ${JSON.stringify(restarted)}`);
    expect(restarted.attempts).toBe(1);
    expect(restarted.startedAfterMs).toBeGreaterThan(0);
    // Asked at once, with no wait: the restart itself waited for it.
    expect(await brokerServes(stack.connection(), stack.bootstrapServers()[1] as string, 2)).toBe(true);
    expect(stack.unexpectedExits?.()).toEqual([]);
  });
});
