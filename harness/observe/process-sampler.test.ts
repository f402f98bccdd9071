import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.ts";
import { ProcessSampler } from "./process-sampler.ts";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A /metrics endpoint answering `text()`, on a free loopback port. */
async function metricsAt(text: () => string): Promise<string> {
  const server = createServer((_, response) => response.end(text()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("ProcessSampler", () => {
  it("makes an aggregator whose /metrics lacks its memory a gap with the reason, and no cores", async () => {
    const address = await metricsAt(() => "process_cpu_seconds_total 3\n");
    const clock = new ManualClock(0);
    const sampler = new ProcessSampler({
      clock,
      targets: () => [{ name: "consumer-0", address }],
      callTimeoutMs: 30_000,
    });
    const [lab, consumer] = await sampler.sample(false);
    expect(lab?.name).toBe("lab");
    expect(lab?.memory.ok).toBe(true);
    expect(consumer).toEqual({
      name: "consumer-0",
      memory: { ok: false, reason: `${address}: /metrics has no process_resident_memory_bytes` },
      cores: null,
    });
  });

  it("gives an aggregator's cores from its second reading on", async () => {
    let cpuSeconds = 1;
    const address = await metricsAt(
      () =>
        `process_resident_memory_bytes 1000\nnodejs_heap_size_used_bytes 500\nprocess_cpu_seconds_total ${cpuSeconds}\n`,
    );
    const clock = new ManualClock(0);
    const sampler = new ProcessSampler({
      clock,
      targets: () => [{ name: "consumer-0", address }],
      callTimeoutMs: 30_000,
    });
    expect((await sampler.sample(false))[1]?.cores).toBeNull();
    cpuSeconds = 2.5;
    clock.advance(1_000);
    expect((await sampler.sample(false))[1]).toEqual({
      name: "consumer-0",
      memory: { ok: true, value: { rssBytes: 1000, heapUsedBytes: 500 } },
      cores: 1.5,
    });
  });
});
