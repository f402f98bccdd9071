import { describe, expect, it } from "vitest";
import { activeControllerFrom, controllerCountOf } from "./active-controller.ts";

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
