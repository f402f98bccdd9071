import { describe, expect, it } from "vitest";
import { activeControllerFrom } from "./active-controller.ts";

const page = (count: number) =>
  `# TYPE kafka_controller_kafkacontroller_activecontrollercount gauge\nkafka_controller_kafkacontroller_activecontrollercount ${count.toFixed(1)}\n`;

describe("activeControllerFrom", () => {
  it("finds the one broker that reports itself the active controller", () => {
    expect(
      activeControllerFrom(
        new Map([
          [1, page(0)],
          [2, page(1)],
          [3, page(0)],
        ]),
      ),
    ).toBe(2);
  });

  it("fails with what it read when no broker, or more than one, says it is the controller", () => {
    expect(() =>
      activeControllerFrom(
        new Map<number, string | Error>([
          [1, page(0)],
          [2, new Error("connection refused")],
        ]),
      ),
    ).toThrow("no broker reports itself the active controller (not read: broker 2: connection refused)");
    expect(() =>
      activeControllerFrom(
        new Map([
          [1, page(1)],
          [3, page(1)],
        ]),
      ),
    ).toThrow("brokers 1, 3 each report themselves the active controller");
  });
});
