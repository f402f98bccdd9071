import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.ts";
import { externalFrom, overridesFrom, seedsFrom } from "./scenario-args.ts";

const local = { provider: "local" as const };

describe("scenario flags", () => {
  it("turns flags into overrides, durations into milliseconds, and leaves out what was not given", () => {
    expect(
      overridesFrom({ ...local, rate: "500", duration: "1m30s", window: "5s", "brokers-count": "3" }),
    ).toEqual({
      rate: 500,
      durationMs: 90_000,
      windowMs: 5_000,
      brokersCount: 3,
    });
    expect(overridesFrom(local)).toEqual({});
  });

  it.each([
    [{ rate: "-3" }, "--rate: -3 is not a positive number of events/s"],
    [{ rate: "banana" }, "--rate: banana is not a positive number of events/s"],
    [{ partitions: "1.5" }, "--partitions: 1.5 is not a whole number of 1 or more"],
    [{ consumers: "0" }, "--consumers: 0 is not a whole number of 1 or more"],
    [{ "brokers-count": "2" }, "--brokers-count: 2 is not 1 or 3"],
    [{ malformed: "banana" }, "--malformed: banana is not a share from 0 to 1"],
    [{ duration: "soon" }, "--duration: soon is not a duration"],
    [{ duration: "0" }, "--duration: 0 is not above zero"],
    [{ window: "0s" }, "--window: 0s is not above zero"],
    [{ rate: ["1", "2"] }, "--rate was given 2 times"],
  ])("quotes a bad value back with its flag: %o", (flags, message) => {
    expect(() => overridesFrom({ ...local, ...flags })).toThrow(UsageError);
    expect(() => overridesFrom({ ...local, ...flags })).toThrow(message);
  });

  it("refuses flags the chosen provider would ignore, naming the provider that takes them", () => {
    expect(() => externalFrom({ ...local, brokers: "a:1", tls: true }, {})).toThrow(
      "--brokers, --tls are for --provider external; this run uses the local provider",
    );
    expect(() => externalFrom({ provider: "testcontainers", "grafana-url": "http://g" }, {})).toThrow(
      "--grafana-url is for --provider external; this run uses the testcontainers provider",
    );
    expect(() => externalFrom({ provider: "external", brokers: "a:1", kraft: true }, {})).toThrow(
      "--kraft is for the providers that start Kafka (local, testcontainers)",
    );
    expect(externalFrom(local, {})).toBeUndefined();
  });

  it("takes SASL and TLS for an external cluster, the password only from the environment or a file", () => {
    const flags = {
      provider: "external" as const,
      brokers: "a:9092,b:9092",
      "sasl-mechanism": "scram-sha-512",
      "sasl-username": "lab",
      tls: true,
    };
    expect(externalFrom(flags, { LAB_SASL_PASSWORD: "secret" })).toEqual({
      brokers: ["a:9092", "b:9092"],
      sasl: { mechanism: "scram-sha-512", username: "lab", password: "secret" },
      tls: { insecure: false },
    });
    const file = join(mkdtempSync(join(tmpdir(), "lab-pw-")), "password");
    writeFileSync(file, "from-a-file\n");
    expect(externalFrom({ ...flags, "sasl-password-file": file }, {})?.sasl?.password).toBe("from-a-file");
    expect(() => externalFrom({ ...flags, "sasl-password": "x" }, {})).toThrow(
      "would show the password in `ps`",
    );
    expect(() => externalFrom(flags, {})).toThrow("--sasl-mechanism scram-sha-512 needs a password");
    expect(() => externalFrom({ ...flags, "sasl-mechanism": "gssapi" }, { LAB_SASL_PASSWORD: "x" })).toThrow(
      "--sasl-mechanism: gssapi is not a mechanism the lab speaks",
    );
  });

  it("needs --brokers for an external cluster, and checks them before anything connects", () => {
    expect(() => externalFrom({ provider: "external" }, {})).toThrow(
      "--provider external needs the cluster's addresses",
    );
    expect(() => externalFrom({ provider: "external", brokers: "nohost" }, {})).toThrow(
      '--brokers: "nohost" is not host:port',
    );
    expect(() =>
      externalFrom({ provider: "external", brokers: "a:1", "tls-ca": "/nonexistent/ca.pem" }, {}),
    ).toThrow("--tls-ca: cannot read /nonexistent/ca.pem");
  });

  it("reads --seeds A..B as every seed of the range, and nothing without it", () => {
    expect(seedsFrom({ ...local, seeds: "1..4" })).toEqual([1, 2, 3, 4]);
    expect(seedsFrom({ ...local, seeds: " 7..7 " })).toEqual([7]);
    expect(seedsFrom(local)).toBeUndefined();
  });

  it.each([
    [{ seeds: "1-20" }, "--seeds: 1-20 is not a range of seeds"],
    [{ seeds: "-1..3" }, "--seeds: -1..3 is not a range of seeds"],
    [{ seeds: "1.5..3" }, "--seeds: 1.5..3 is not a range of seeds"],
    [{ seeds: "9..2" }, "--seeds: 9..2 is empty: 9 is above 2"],
    [{ seeds: "0..5000" }, "--seeds: 0..5000 is 5001 runs, more than 1000"],
    [{ seeds: "1..3", seed: "2" }, "--seed runs one seed and --seeds a range of them"],
    [{ seeds: ["1..2", "3..4"] }, "--seeds was given 2 times"],
  ])("refuses a bad --seeds: %o", (flags, message) => {
    expect(() => seedsFrom({ ...local, ...flags })).toThrow(UsageError);
    expect(() => seedsFrom({ ...local, ...flags })).toThrow(message);
  });
});
