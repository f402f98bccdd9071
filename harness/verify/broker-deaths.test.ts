import { describe, expect, it } from "vitest";
import { brokerDeathsAssertion } from "./broker-deaths.ts";

const STALE =
  "[2026-12-07 03:10:22,101] ERROR Error while creating ephemeral at /brokers/ids/3, node already exists and owner '72057' does not match current session '72058' (kafka.zk.KafkaZkClient$CheckedEphemeral)";

describe("brokerDeathsAssertion", () => {
  it("fails naming each broker that died unasked, when, how and with its own log line", () => {
    const assertion = brokerDeathsAssertion(
      [
        { service: "broker-3", brokerId: 3, at: 1_024_100, code: 1, signal: null, lastError: STALE },
        { service: "broker-1", brokerId: 1, at: 1_050_000, code: null, signal: "SIGKILL" },
      ],
      1_000_000,
    );
    expect(assertion).toMatchObject({
      name: "no broker died unasked",
      expectedValue: 0,
      observedValue: 2,
      observed: "broker-3, broker-1",
      pass: false,
    });
    expect(assertion.detail).toBe(
      `broker-3 (broker 3) exited at 24.1 s with exit code 1: "${STALE}"; ` +
        "broker-1 (broker 1) exited at 50.0 s with signal SIGKILL: it logged no error line",
    );
  });

  it("passes when the stack saw no death", () => {
    expect(brokerDeathsAssertion([], 0)).toMatchObject({
      observedValue: 0,
      observed: "0 deaths",
      pass: true,
    });
    expect(brokerDeathsAssertion([], 0).detail).toBeUndefined();
  });
});
