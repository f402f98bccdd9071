import { describe, expect, it } from "vitest";
import { createLoginGenerator, MALFORMED_KINDS } from "../../pipeline/events/generator.ts";
import { type ValidationResult, validateRecord } from "../../pipeline/events/login-event.ts";
import { countAssertions } from "../verify/count-assertions.ts";
import type { Counts } from "./ledger.ts";
import { CountsBuilder, type Validate, withoutCounts } from "./ledger.ts";

const login = (fields: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ user_id: "u1", timestamp: 1_694_479_551, app_version: "2.3.0", ...fields }));

const SMALL_KINDS = MALFORMED_KINDS.filter((k) => k !== "too_large" && k !== "near_kafka_limit");

/** What a run sees with `rule` as the shared validation rule: the generator's verdicts come from it too. */
function ledgerAndRecount(rule: Validate): { ledger: Counts; recount: Counts } {
  let t = 1_694_479_551_000;
  const generator = createLoginGenerator({
    seed: 5,
    malformed: 0.2,
    malformedKinds: SMALL_KINDS,
    clock: { now: () => (t += 100) },
  });
  const ledger = new CountsBuilder();
  const recount = new CountsBuilder(rule);
  for (let i = 0; i < 2_000; i++) {
    const record = generator.next();
    ledger.addSent({ kind: record.kind, expected: rule(record.value) });
    recount.add(record.value);
  }
  return { ledger: ledger.build(), recount: recount.build() };
}

function ledgerFailures(rule: Validate) {
  const { ledger, recount } = ledgerAndRecount(rule);
  const aggregates = {
    ...recount,
    total: recount.valid,
    records: 0,
    duplicateCopies: 0,
    dlqRecords: recount.invalid,
  };
  return countAssertions(ledger, recount, aggregates)
    .filter((a) => !a.pass)
    .map((a) => a.name);
}

const aValidLogin = (): ValidationResult => ({
  ok: true,
  event: { userId: "u", deviceType: "unknown", locale: "unknown", appVersion: "unknown", timestampSec: 0 },
});

describe("CountsBuilder", () => {
  it("counts valid records by device type, locale and app version, invalid ones by reason", () => {
    const counts = new CountsBuilder();
    counts.add(login({ device_type: "android", locale: "CA" }));
    counts.add(login({ device_type: "iOS", locale: "CA", app_version: "2.4.0" }));
    counts.add(login({ locale: "NY" }));
    counts.add(null);
    counts.add(Buffer.from("{not json"));
    counts.add(login({ user_id: "", locale: "CA" }));

    expect(counts.build()).toEqual({
      total: 6,
      valid: 3,
      invalid: 3,
      byDeviceType: new Map([
        ["android", 1],
        ["iOS", 1],
        ["unknown", 1],
      ]),
      byLocale: new Map([
        ["CA", 2],
        ["NY", 1],
      ]),
      byAppVersion: new Map([
        ["2.3.0", 2],
        ["2.4.0", 1],
      ]),
      invalidByReason: new Map([
        ["empty", 1],
        ["not_json", 1],
        ["bad_user_id", 1],
      ]),
    });
  });

  it("counts labels spelt constructor, __proto__ and toString like any other", () => {
    const counts = new CountsBuilder();
    for (const label of ["constructor", "__proto__", "toString", "__proto__"]) {
      counts.add(login({ device_type: label, locale: label, app_version: label }));
    }
    const expected = new Map([
      ["constructor", 1],
      ["__proto__", 2],
      ["toString", 1],
    ]);
    const built = counts.build();
    expect(built.byDeviceType).toEqual(expected);
    expect(built.byLocale).toEqual(expected);
    expect(built.byAppVersion).toEqual(expected);
  });

  it("hands out snapshots that later records do not change", () => {
    const counts = new CountsBuilder();
    counts.add(login({ device_type: "iOS", locale: "WA" }));
    const first = counts.build();
    counts.add(login({ device_type: "iOS", locale: "WA" }));
    expect(first.byLocale).toEqual(new Map([["WA", 1]]));
    expect(counts.build().byLocale).toEqual(new Map([["WA", 2]]));
  });
});

describe("the ledger, from what the generator meant to send", () => {
  it("agrees with a recount under the pipeline's own rule", () => {
    const { ledger, recount } = ledgerAndRecount(validateRecord);
    expect(ledger.invalid).toBeGreaterThan(300);
    expect(ledger).toEqual(recount);
    expect(ledgerFailures(validateRecord)).toEqual([]);
  });

  it("takes the reason from the malformed kind, not from the rule's verdict", () => {
    const ledger = new CountsBuilder();
    ledger.addSent({ kind: "bad_timestamp_float", expected: aValidLogin() });
    ledger.addSent({ kind: "missing_user_id", expected: { ok: false, reason: "not_json" } });
    expect(ledger.build()).toMatchObject({
      valid: 0,
      invalid: 2,
      invalidByReason: new Map([
        ["bad_timestamp", 1],
        ["bad_user_id", 1],
      ]),
    });
  });

  it("differs from the recount when the shared rule lets bad timestamps through", () => {
    const lenient: Validate = (value) => {
      const verdict = validateRecord(value);
      return !verdict.ok && verdict.reason === "bad_timestamp" ? aValidLogin() : verdict;
    };
    expect(ledgerFailures(lenient)).toEqual([
      "ledger valid = recount valid",
      "ledger invalid = recount invalid",
      "ledger invalid by reason = recount",
    ]);
  });

  it("differs from the recount, label by label, when the shared rule rejects valid logins", () => {
    const strict: Validate = (value) => {
      const verdict = validateRecord(value);
      return verdict.ok && verdict.event.locale === "CA" ? { ok: false, reason: "bad_user_id" } : verdict;
    };
    const { ledger, recount } = ledgerAndRecount(strict);
    const rejected = "(rejected by the rule as bad_user_id)";
    expect(ledger.byLocale.get(rejected)).toBeGreaterThan(0);
    expect(ledger.byLocale.get(rejected)).toBe(ledger.valid - recount.valid);
    expect(ledgerFailures(strict)).toEqual([
      "ledger valid = recount valid",
      "ledger invalid = recount invalid",
      "ledger invalid by reason = recount",
    ]);
  });
});

describe("withoutCounts", () => {
  it("takes one count from another label by label, dropping labels that reach 0", () => {
    const all = new CountsBuilder();
    const part = new CountsBuilder();
    const ios = login({ device_type: "iOS", locale: "CA" });
    const android = login({ device_type: "android", locale: "NY" });
    for (const value of [ios, android, Buffer.from("{bad")]) all.add(value);
    for (const value of [android, Buffer.from("{bad")]) part.add(value);
    expect(withoutCounts(all.build(), part.build())).toEqual({
      total: 1,
      valid: 1,
      invalid: 0,
      byDeviceType: new Map([["iOS", 1]]),
      byLocale: new Map([["CA", 1]]),
      byAppVersion: new Map([["2.3.0", 1]]),
      invalidByReason: new Map(),
    });
  });
});
