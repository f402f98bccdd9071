import { describe, expect, it } from "vitest";
import { waitFor } from "../core/wait-for.ts";
import { BoundedCall } from "./bounded-call.ts";

describe("BoundedCall", () => {
  it("returns the value of a call that answers in time", async () => {
    const call = new BoundedCall("offsets", async () => 7, 100);
    expect(await call.run()).toEqual({ ok: true, value: 7 });
  });

  it("reports a hung call as a gap within its bound, and does not pile another call on it", async () => {
    let started = 0;
    let release: (value: number) => void = () => {};
    const call = new BoundedCall(
      "offsets",
      () => {
        started += 1;
        return new Promise<number>((resolve) => {
          release = resolve;
        });
      },
      30,
    );
    const began = Date.now();
    expect(await call.run()).toEqual({ ok: false, reason: "offsets: no answer within 30 ms" });
    expect(Date.now() - began).toBeLessThan(1_000);
    const again = await call.run();
    expect(again).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^offsets: the previous call has not answered for \d/),
    });
    expect(started).toBe(1);
    release(1);
    // Once the hung call has answered, the next run starts a call of its own, which hangs in turn.
    const next = await waitFor(
      async () => {
        const outcome = await call.run();
        return outcome.ok === false && outcome.reason.includes("previous call") ? undefined : outcome;
      },
      { what: "the hung call's answer to free the bound", timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(next).toMatchObject({ ok: false, reason: "offsets: no answer within 30 ms" });
    expect(started).toBe(2);
  });

  it("reports a failed call with its error", async () => {
    const call = new BoundedCall("group", () => Promise.reject(new Error("coordinator not available")), 100);
    expect(await call.run()).toEqual({ ok: false, reason: "group failed: coordinator not available" });
  });
});
