import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { activeControllerFrom, controllerCountOf, readActiveController } from "./active-controller.ts";

const page = (count: number) =>
  `# TYPE kafka_controller_kafkacontroller_activecontrollercount gauge\nkafka_controller_kafkacontroller_activecontrollercount ${count.toFixed(1)}\n`;

describe("activeControllerFrom", () => {
  it("finds the one broker that reports itself the active controller", () => {
    expect(
      activeControllerFrom(
        new Map([
          [1, 0],
          [2, 1],
          [3, 0],
        ]),
      ),
    ).toBe(2);
  });

  it("fails with what it read when no broker, or more than one, says it is the controller", () => {
    expect(() =>
      activeControllerFrom(
        new Map<number, number | Error>([
          [1, 0],
          [2, new Error("timed out")],
        ]),
      ),
    ).toThrow("no broker reports itself the active controller (not read: broker 2: timed out)");
    expect(() =>
      activeControllerFrom(
        new Map([
          [1, 1],
          [3, 1],
        ]),
      ),
    ).toThrow("brokers 1, 3 each report themselves the active controller");
  });
});

describe("controllerCountOf", () => {
  it("reads the gauge from an exporter page, and says when the page lacks it", () => {
    expect(controllerCountOf(page(1))).toBe(1);
    expect(controllerCountOf("jvm_threads 12\n")).toBeInstanceOf(Error);
  });
});

/**
 * A stand-in JMX exporter on a free port: its n-th read (from 0) answers `count(n)` as its page, or never
 * answers when that is null.
 */
async function exporter(count: (read: number) => number | null): Promise<string> {
  let reads = 0;
  const server = createServer((_request, response) => {
    const value = count(reads++);
    if (value !== null) response.end(page(value));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe("readActiveController", () => {
  it("asks again while an exporter is too slow to answer or no broker is the controller yet", async () => {
    const exporters = new Map([
      [1, await exporter((read) => (read === 0 ? null : 0))],
      [2, await exporter((read) => (read < 2 ? 0 : 1))],
      [3, await exporter(() => 0)],
    ]);
    expect(await readActiveController(exporters, undefined, { boundMs: 200, withinMs: 10_000 })).toBe(2);
  });

  it("gives up after its limit, naming each exporter that did not answer and its bound", async () => {
    const exporters = new Map([
      [1, await exporter(() => null)],
      [2, await exporter(() => 0)],
    ]);
    await expect(readActiveController(exporters, undefined, { boundMs: 200, withinMs: 500 })).rejects.toThrow(
      "no broker reports itself the active controller (not read: broker 1: no answer within 0.2 s)",
    );
  });
});
