import { describe, expect, it } from "vitest";
import type { Clock } from "../../core/clock.ts";
import { LabError } from "../../core/errors.ts";
import { type Launchable, lastErrorLine, startSupervised } from "./supervised-start.ts";

const STALE =
  "[2026-12-07 03:10:22,101] ERROR Error while creating ephemeral at /brokers/ids/3, node already exists and owner '72057' does not match current session '72058' (kafka.zk.KafkaZkClient$CheckedEphemeral)";
const FATAL =
  "[2026-12-07 03:10:22,105] ERROR [KafkaServer id=3] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)";

/** A clock whose sleeps pass at once, so a bounded retry runs through in no time. */
function steppingClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    monotonic: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** Each launch either dies at once having logged `log`, or serves from its `servesAfter`-th poll. */
type Launch = { dies: string } | { servesAfter: number };

function fakeBroker(launches: Launch[]): Launchable & { launched: number } {
  let current: Launch | undefined;
  let polls = 0;
  const fake = {
    launched: 0,
    name: "broker 3",
    logFile: "/tmp/broker-3.log",
    launch: () => {
      current = launches[fake.launched++];
      polls = 0;
    },
    running: () => current !== undefined && !("dies" in current),
    describeExit: () => "exit code 1",
    logSinceLaunch: () => (current && "dies" in current ? current.dies : ""),
    serving: async () => current !== undefined && "servesAfter" in current && ++polls >= current.servesAfter,
  };
  return fake;
}

const bounds = { boundMs: 60_000, maxAttempts: 4, pollMs: 500, retryDelayMs: (n: number) => 3_000 * n };

describe("startSupervised", () => {
  it("returns after one launch when the broker serves, with how long it took", async () => {
    const clock = steppingClock();
    const broker = fakeBroker([{ servesAfter: 5 }]);
    const started = await startSupervised(broker, clock, bounds);
    expect(started).toEqual({ startedAfterMs: 2_000, attempts: 1, retriedAfter: [] });
  });

  it("waits out a stale ZooKeeper session and launches again, counting the launches", async () => {
    const clock = steppingClock();
    const broker = fakeBroker([
      { dies: `${STALE}\n${FATAL}` },
      { dies: `${STALE}\n${FATAL}` },
      { servesAfter: 3 },
    ]);
    const started = await startSupervised(broker, clock, bounds);
    expect(started.attempts).toBe(3);
    expect(started.retriedAfter).toEqual([STALE, STALE]);
    // 3 s and 6 s of waiting between launches, then two polls of 0.5 s before the third served.
    expect(started.startedAfterMs).toBe(10_000);
    expect(broker.launched).toBe(3);
  });

  it("gives up after its bound, quoting the broker's own error line", async () => {
    const clock = steppingClock();
    const broker = fakeBroker(Array.from({ length: 10 }, () => ({ dies: `${STALE}\n${FATAL}` })));
    const failure = await startSupervised(broker, clock, bounds).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LabError);
    expect((failure as LabError).message).toContain("gave up after 4 launches");
    expect((failure as LabError).message).toContain(STALE);
    expect(broker.launched).toBe(4);
  });

  it("does not retry a start-up failure that waiting cannot mend", async () => {
    const clock = steppingClock();
    const bind =
      "[2026-12-07 03:10:22,101] ERROR Unable to bind to 127.0.0.1:40001 (kafka.network.DataPlaneAcceptor)";
    const broker = fakeBroker([{ dies: `${bind}\n${FATAL}` }, { servesAfter: 1 }]);
    const failure = await startSupervised(broker, clock, bounds).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      `broker 3 did not come back: exited at start-up (exit code 1); its log's last error: "${bind}"`,
    );
    expect(broker.launched).toBe(1);
  });

  it("fails when a running broker never serves within the bound", async () => {
    const clock = steppingClock();
    const broker = fakeBroker([{ servesAfter: Number.POSITIVE_INFINITY }]);
    const failure = await startSupervised(broker, clock, bounds).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/still not serving 60\.0 s after its restart \(launch 1\)/);
  });
});

describe("lastErrorLine", () => {
  it("prefers the stale-session line to Kafka's generic fatal wrapper", () => {
    expect(
      lastErrorLine(`[x] INFO starting (kafka.server.KafkaServer)\n${STALE}\n${FATAL}\n\tat a.b.c`),
    ).toBe(STALE);
  });

  it("takes the error before the fatal wrapper with its exception, not the shutdown noise after it", () => {
    // As broker 3 logged it when its port was taken (trimmed).
    const log = [
      "[t] INFO starting (kafka.server.KafkaServer)",
      "[t] ERROR Unable to start acceptor for ListenerName(PLAINTEXT) (kafka.network.DataPlaneAcceptor)",
      "org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:38171: Address already in use.",
      "\tat kafka.network.Acceptor.openServerSocket(SocketServer.scala:751)",
      "[t] ERROR [KafkaServer id=3] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)",
      '[t] ERROR Cannot invoke "java.nio.channels.ServerSocketChannel.close()" (kafka.network.DataPlaneAcceptor)',
      "[t] ERROR Exiting Kafka due to fatal exception during startup. (kafka.Kafka$)",
    ].join("\n");
    expect(lastErrorLine(log)).toBe(
      "[t] ERROR Unable to start acceptor for ListenerName(PLAINTEXT) (kafka.network.DataPlaneAcceptor) / " +
        "org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:38171: Address already in use.",
    );
  });

  it("takes the wrapper when it is all there is, and a JVM's bare error line when no level was logged", () => {
    expect(lastErrorLine(`[x] INFO starting\n${FATAL}`)).toBe(FATAL);
    expect(lastErrorLine("[x] INFO serving\njava.lang.OutOfMemoryError: Java heap space")).toBe(
      "java.lang.OutOfMemoryError: Java heap space",
    );
    expect(lastErrorLine("[x] INFO serving")).toBeUndefined();
  });
});
