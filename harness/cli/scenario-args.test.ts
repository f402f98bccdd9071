import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { externalFrom, overridesFrom } from "./scenario-args.ts";

const local = { provider: "local" as const };

describe("scenario flags", () => {
  it("turns flags into overrides, durations into milliseconds, and leaves out what was not given", () => {
    expect(overridesFrom({ ...local, rate: 500, duration: "2m", window: "5s", "brokers-count": 3 })).toEqual({
      rate: 500,
      durationMs: 120_000,
      windowMs: 5_000,
      brokersCount: 3,
    });
    expect(overridesFrom(local)).toEqual({});
  });

  it.each([
    [{ rate: -3 }, "--rate"],
    [{ partitions: 1.5 }, "--partitions"],
    [{ consumers: 0 }, "--consumers"],
    [{ "brokers-count": 2 }, "--brokers-count"],
    [{ malformed: 1.5 }, "--malformed"],
    [{ duration: "soon" }, "--duration"],
    [{ window: "5 parsecs" }, "--window"],
  ])("names the flag of a bad value: %o", (flags, flag) => {
    expect(() => overridesFrom({ ...local, ...flags })).toThrow(UsageError);
    expect(() => overridesFrom({ ...local, ...flags })).toThrow(flag);
  });

  it("takes external cluster settings only with --provider external", () => {
    expect(() => externalFrom({ ...local, brokers: "a:1" }, {})).toThrow(
      "--brokers is for --provider external",
    );
    expect(externalFrom(local, {})).toBeUndefined();
    expect(
      externalFrom(
        {
          provider: "external",
          brokers: "a:9092,b:9092",
          "sasl-mechanism": "scram-sha-512",
          "sasl-username": "lab",
          tls: true,
        },
        { LAB_SASL_PASSWORD: "secret" },
      ),
    ).toEqual({
      brokers: ["a:9092", "b:9092"],
      sasl: { mechanism: "scram-sha-512", username: "lab", password: "secret" },
      tls: { insecure: false },
    });
    expect(() =>
      externalFrom({ provider: "external", brokers: "a:1", "sasl-mechanism": "plain" }, {}),
    ).toThrow("--sasl-username");
  });
});
