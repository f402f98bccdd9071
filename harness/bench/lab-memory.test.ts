import { describe, expect, it } from "vitest";
import { measureLabMemory, measureScheduledSendLoop } from "./lab-memory.ts";

describe("measureLabMemory", () => {
  it("finds the lab's send loop, ledger and observer keep next to nothing per event", async () => {
    // One partition, so that the run spans several of the due-time chunks (65,536 offsets each).
    const figures = await measureLabMemory(300_000, { commitEvery: 20_000, partitions: 1 });
    expect(figures.events).toBe(300_000);
    // 130 bytes an event was the complaint; due times never forgotten would cost 8.
    expect(figures.heapKeptBytesPerEvent).toBeLessThan(3);
  }, 60_000);

  it("finds the scheduled send loop keeps nothing per event (it kept about 45 bytes before)", async () => {
    expect(await measureScheduledSendLoop(5_000, 8_000)).toBeLessThan(10);
  }, 60_000);
});
