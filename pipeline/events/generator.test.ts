import { describe, expect, it } from "vitest";
import {
  createLoginGenerator,
  EXPECTED_REASON,
  type GeneratedRecord,
  type LoginGeneratorOptions,
  MALFORMED_KINDS,
  NEAR_KAFKA_LIMIT_BYTES,
} from "./generator.ts";
import { MAX_RECORD_BYTES, validateRecord } from "./login-event.ts";
import { US_STATE_CODES } from "./us-states.ts";

/** A clock that moves 250 ms per reading, so runs with the same start read the same times. */
function steppingClock(startMs = 1_694_479_551_000) {
  let t = startMs;
  return { now: () => (t += 250) };
}

function take(options: LoginGeneratorOptions, n: number): GeneratedRecord[] {
  const generator = createLoginGenerator({ clock: steppingClock(), ...options });
  return Array.from({ length: n }, () => generator.next());
}

function share(records: GeneratedRecord[], predicate: (r: GeneratedRecord) => boolean): number {
  return records.filter(predicate).length / records.length;
}

const SMALL_KINDS = MALFORMED_KINDS.filter((k) => k !== "too_large" && k !== "near_kafka_limit");

describe("createLoginGenerator", () => {
  it("writes the same bytes for the same seed and clock", () => {
    const options = { seed: 7, malformed: 0.2, malformedKinds: SMALL_KINDS };
    const a = take(options, 2000);
    const b = take(options, 2000);
    expect(b.map((r) => [r.key, r.kind, r.value.toString("hex")])).toEqual(
      a.map((r) => [r.key, r.kind, r.value.toString("hex")]),
    );
  });

  it("writes different records for different seeds", () => {
    const a = take({ seed: 1 }, 50).map((r) => r.value.toString());
    const b = take({ seed: 2 }, 50).map((r) => r.value.toString());
    expect(a.filter((value, i) => value === b[i])).toEqual([]);
  });

  it("takes timestamps from the injected clock, in epoch seconds", () => {
    const readings = [1_000_999, 2_000_000];
    const generator = createLoginGenerator({ seed: 1, clock: { now: () => readings.shift() ?? 0 } });
    expect(generator.next().event?.timestamp).toBe(1000);
    expect(generator.next().event?.timestamp).toBe(2000);
  });

  it("writes valid records shaped like the seed's, keyed by user_id", () => {
    for (const record of take({ seed: 3 }, 500)) {
      expect(record.kind).toBe("valid");
      expect(record.expected.ok).toBe(true);
      const parsed = JSON.parse(record.value.toString());
      expect(parsed).toEqual(record.event);
      expect(record.key).toBe(parsed.user_id);
      expect(parsed.app_version).toBe("2.3.0");
      expect(parsed.ip).toMatch(/^(\d{1,3}\.){3}\d{1,3}$/);
      expect(parsed.ip.split(".").every((o: string) => Number(o) <= 255)).toBe(true);
      expect(parsed.device_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isInteger(parsed.timestamp)).toBe(true);
    }
  });

  it("follows the default mix over 20k events", () => {
    const records = take({ seed: 11 }, 20_000);
    const device = (r: GeneratedRecord) => r.event?.device_type;
    expect(Math.abs(share(records, (r) => device(r) === "android") - 0.475)).toBeLessThan(0.015);
    expect(Math.abs(share(records, (r) => device(r) === "iOS") - 0.475)).toBeLessThan(0.015);
    const missing = records.filter((r) => !r.value.toString().includes('"device_type"'));
    expect(Math.abs(missing.length / records.length - 0.05)).toBeLessThan(0.006);
    expect(missing.every((r) => r.expected.ok && r.expected.event.deviceType === "unknown")).toBe(true);
    expect(new Set(US_STATE_CODES).size).toBe(50);
    expect(new Set(records.map((r) => r.event?.locale))).toEqual(new Set(US_STATE_CODES));
    const users = new Set(records.map((r) => r.key));
    expect(users.size).toBeGreaterThan(8000);
    expect(users.size).toBeLessThanOrEqual(10_000);
  });

  it("follows a custom mix and draws users from a pool of the given size", () => {
    const mix = {
      deviceTypes: [
        { value: "web", weight: 9 },
        { value: "tv", weight: 1 },
      ],
      missingDeviceTypeShare: 0,
      locales: ["RU"],
      appVersions: ["1.0.0", "2.0.0"],
      distinctUsers: 25,
    };
    const records = take({ seed: 5, mix }, 5000);
    expect(Math.abs(share(records, (r) => r.event?.device_type === "web") - 0.9)).toBeLessThan(0.02);
    expect(share(records, (r) => r.event?.device_type === undefined)).toBe(0);
    expect(new Set(records.map((r) => r.event?.app_version))).toEqual(new Set(["1.0.0", "2.0.0"]));
    expect(new Set(records.map((r) => r.key)).size).toBe(25);
  });

  it("gives each valid record the verdict validateRecord gives its bytes, for any mix", () => {
    const awkward = {
      deviceTypes: [
        { value: "", weight: 1 },
        { value: "Ünïcödé 📱", weight: 1 },
        { value: 'quote " and \\ backslash', weight: 1 },
      ],
      missingDeviceTypeShare: 0.3,
      locales: ["", "\ud800 lone surrogate", "CA"],
      appVersions: ["", "x".repeat(MAX_RECORD_BYTES)],
      distinctUsers: 50,
    };
    for (const options of [{ seed: 21 }, { seed: 22, mix: awkward }]) {
      const valid = take(options, 3_000).filter((r) => r.kind === "valid");
      expect(valid.length).toBe(3_000);
      for (const record of valid) expect(record.expected).toEqual(validateRecord(record.value));
    }
    const verdicts = take({ seed: 22, mix: awkward }, 3_000).map((r) => r.expected);
    expect(verdicts.some((v) => !v.ok && v.reason === "too_large")).toBe(true);
    expect(verdicts.some((v) => v.ok && v.event.deviceType === "unknown")).toBe(true);
    expect(verdicts.some((v) => v.ok && v.event.locale.includes("\ud800"))).toBe(true);
  });

  it("writes the malformed share asked for, each rejected for the expected reason", () => {
    const records = take({ seed: 13, malformed: 0.1, malformedKinds: SMALL_KINDS }, 20_000);
    const bad = records.filter((r) => r.kind !== "valid");
    expect(Math.abs(bad.length / records.length - 0.1)).toBeLessThan(0.01);
    for (const record of bad) {
      expect(record.key).toBeNull();
      expect(record.event).toBeUndefined();
      expect(record.expected).toEqual({ ok: false, reason: EXPECTED_REASON[record.kind as "not_json"] });
    }
    expect(records.filter((r) => r.kind === "valid").every((r) => r.expected.ok)).toBe(true);
  });

  it("writes every malformed kind in turn, large ones at their intended sizes", () => {
    const records = take({ seed: 17, malformed: 1 }, MALFORMED_KINDS.length);
    expect(records.map((r) => r.kind)).toEqual([...MALFORMED_KINDS]);
    for (const record of records) {
      expect(record.expected, record.kind).toEqual({
        ok: false,
        reason: EXPECTED_REASON[record.kind as "not_json"],
      });
    }
    const sizeOf = (kind: string) => records.find((r) => r.kind === kind)?.value.length;
    expect(sizeOf("too_large")).toBe(MAX_RECORD_BYTES + 1);
    expect(sizeOf("near_kafka_limit")).toBe(NEAR_KAFKA_LIMIT_BYTES);
    expect(NEAR_KAFKA_LIMIT_BYTES).toBeLessThan(1_000_000);
  });

  it("rejects impossible options, naming every problem", () => {
    const build = (options: Partial<LoginGeneratorOptions>) => () =>
      createLoginGenerator({ seed: 1, ...options });
    expect(build({ malformed: 1.5 })).toThrow(/malformed must be a share/);
    expect(build({ mix: { locales: [], distinctUsers: 0 } })).toThrow(/locales is empty.*distinctUsers/);
    expect(build({ mix: { deviceTypes: [{ value: "x", weight: 0 }] } })).toThrow(/positive weight/);
    expect(build({ malformed: 0.5, malformedKinds: [] })).toThrow(/malformedKinds is empty/);
  });
});
