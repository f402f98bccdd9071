import { describe, expect, it } from "vitest";
import { CountsBuilder } from "./ledger.ts";

const login = (fields: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ user_id: "u1", timestamp: 1_694_479_551, app_version: "2.3.0", ...fields }));

describe("CountsBuilder", () => {
  it("counts valid records by device type and locale, invalid ones by reason", () => {
    const counts = new CountsBuilder();
    counts.add(login({ device_type: "android", locale: "CA" }));
    counts.add(login({ device_type: "iOS", locale: "CA" }));
    counts.add(login({ locale: "NY" }));
    counts.add(null);
    counts.add(Buffer.from("{not json"));
    counts.add(login({ user_id: "", locale: "CA" }));

    expect(counts.build()).toEqual({
      total: 6,
      valid: 3,
      invalid: 3,
      byDeviceType: { android: 1, iOS: 1, unknown: 1 },
      byLocale: { CA: 2, NY: 1 },
      invalidByReason: { empty: 1, not_json: 1, bad_user_id: 1 },
    });
  });

  it("returns the verdict and accepts one reached elsewhere", () => {
    const counts = new CountsBuilder();
    expect(counts.add(Buffer.from("[]"))).toEqual({ ok: false, reason: "not_object" });
    counts.addResult({
      ok: true,
      event: { userId: "u", deviceType: "iOS", locale: "TX", appVersion: "2.3.0", timestampSec: 1 },
    });
    expect(counts.build()).toMatchObject({ total: 2, valid: 1, invalid: 1, byLocale: { TX: 1 } });
  });

  it("hands out snapshots that later records do not change", () => {
    const counts = new CountsBuilder();
    counts.add(login({ device_type: "iOS", locale: "WA" }));
    const first = counts.build();
    counts.add(login({ device_type: "iOS", locale: "WA" }));
    expect(first.byLocale).toEqual({ WA: 1 });
    expect(counts.build().byLocale).toEqual({ WA: 2 });
  });
});
