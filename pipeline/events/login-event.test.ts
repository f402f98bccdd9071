import { describe, expect, it } from "vitest";
import { INVALID_REASONS, MAX_RECORD_BYTES, VALIDATION_RULES_DOC, validateRecord } from "./login-event.ts";

const base = {
  user_id: "424cdd21-063a-43a7-b91b-7ca1a833afae",
  app_version: "2.3.0",
  device_type: "android",
  ip: "199.172.111.135",
  locale: "RU",
  device_id: "593-47-5928",
  timestamp: 1694479551,
};

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function reasonOf(value: Buffer | null): string {
  const result = validateRecord(value);
  return result.ok ? "valid" : result.reason;
}

/** A valid login padded with a filler field to exactly `size` bytes. */
function paddedTo(size: number): Buffer {
  const empty = json({ ...base, pad: "" }).length;
  const out = json({ ...base, pad: "x".repeat(size - empty) });
  expect(out.length).toBe(size);
  return out;
}

describe("validateRecord", () => {
  it("accepts the seed's record and normalises it", () => {
    expect(validateRecord(json(base))).toEqual({
      ok: true,
      event: {
        userId: base.user_id,
        deviceType: "android",
        locale: "RU",
        appVersion: "2.3.0",
        timestampSec: 1694479551,
      },
    });
  });

  it("accepts a timestamp written as a string of digits, as the README sample shows", () => {
    const result = validateRecord(json({ ...base, timestamp: "1694479551" }));
    expect(result.ok && result.event.timestampSec).toBe(1694479551);
  });

  it("accepts timestamp 0 and extra fields", () => {
    const result = validateRecord(json({ ...base, timestamp: 0, extra: { nested: [1] } }));
    expect(result.ok && result.event.timestampSec).toBe(0);
  });

  it.each([
    ["missing", { device_type: undefined }, "deviceType"],
    ["empty", { locale: "" }, "locale"],
    ["not a string", { app_version: 2.3 }, "appVersion"],
    ["null", { device_type: null }, "deviceType"],
  ])("counts a %s label as unknown", (_name, patch, field) => {
    const result = validateRecord(json({ ...base, ...patch }));
    if (!result.ok) throw new Error(`rejected: ${result.reason}`);
    expect(result.event[field as "deviceType"]).toBe("unknown");
  });

  it("leaves the other labels alone when one is unknown", () => {
    const { device_type: _, ...withoutDevice } = base;
    const result = validateRecord(json(withoutDevice));
    expect(result).toMatchObject({ ok: true, event: { deviceType: "unknown", locale: "RU" } });
  });

  it.each([
    ["null value", null, "empty"],
    ["zero bytes", Buffer.alloc(0), "empty"],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "not_utf8"],
    ["a lone continuation byte", Buffer.from([0x22, 0x80, 0x22]), "not_utf8"],
    ["text that is not JSON", Buffer.from("user_id=1"), "not_json"],
    ["truncated JSON", Buffer.from('{"user_id":"a",'), "not_json"],
    ["an array", json([1, 2]), "not_object"],
    ["a number", json(42), "not_object"],
    ["JSON null", Buffer.from("null"), "not_object"],
    ["a string", json("hello"), "not_object"],
    ["missing user_id", json({ ...base, user_id: undefined }), "bad_user_id"],
    ["empty user_id", json({ ...base, user_id: "" }), "bad_user_id"],
    ["numeric user_id", json({ ...base, user_id: 7 }), "bad_user_id"],
    ["missing timestamp", json({ ...base, timestamp: undefined }), "bad_timestamp"],
    ["negative timestamp", json({ ...base, timestamp: -1 }), "bad_timestamp"],
    ["float timestamp", json({ ...base, timestamp: 1.5 }), "bad_timestamp"],
    ["timestamp with letters", json({ ...base, timestamp: "12a" }), "bad_timestamp"],
    ["negative string timestamp", json({ ...base, timestamp: "-1" }), "bad_timestamp"],
    ["decimal string timestamp", json({ ...base, timestamp: "1.5" }), "bad_timestamp"],
    ["empty string timestamp", json({ ...base, timestamp: "" }), "bad_timestamp"],
    ["boolean timestamp", json({ ...base, timestamp: true }), "bad_timestamp"],
    ["timestamp beyond safe integers", json({ ...base, timestamp: "99999999999999999999" }), "bad_timestamp"],
  ])("rejects %s", (_name, value, reason) => {
    expect(reasonOf(value)).toBe(reason);
  });

  it("rejects on the first broken rule: a bad user_id wins over a bad timestamp", () => {
    expect(reasonOf(json({ ...base, user_id: "", timestamp: -1 }))).toBe("bad_user_id");
  });

  it("accepts exactly 64 KiB and rejects one byte more", () => {
    expect(MAX_RECORD_BYTES).toBe(65536);
    expect(reasonOf(paddedTo(65536))).toBe("valid");
    expect(reasonOf(paddedTo(65537))).toBe("too_large");
  });

  it("checks size before decoding: oversized garbage is too_large, not not_utf8", () => {
    expect(reasonOf(Buffer.alloc(MAX_RECORD_BYTES + 1, 0xff))).toBe("too_large");
  });

  it("documents every reason it can return", () => {
    for (const reason of INVALID_REASONS) expect(VALIDATION_RULES_DOC).toContain(`\`${reason}\``);
  });
});
