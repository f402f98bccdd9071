import { describe, expect, it } from "vitest";
import { createLoginGenerator } from "../../pipeline/events/generator.ts";
import type { AckedBatch } from "../../pipeline/producer/acks.ts";
import { DriverLedger, driverLedgerAssertion, mergeDriverLedgers } from "./driver-ledger.ts";
import { CountsBuilder } from "./ledger.ts";

const CHUNK = 10;

/**
 * 3,000 generated records sent by `drivers` processes in chunks of 10, chunk c by process c mod N to
 * partition c mod 2, each partition's offsets handed out in the order the chunks went: what one run's
 * processes would have acknowledged. `skipChunk` leaves one chunk's offsets unacknowledged.
 */
function simulate(drivers: number, options: { skipChunk?: number } = {}) {
  const generator = createLoginGenerator({
    seed: 9,
    malformed: 0.1,
    clock: { now: () => 1_700_000_000_000 },
  });
  const whole = new CountsBuilder();
  const ledgers = Array.from({ length: drivers }, (_, i) => new DriverLedger(i));
  const nextOffset = [0n, 0n];
  const batches: AckedBatch[] = [];
  for (let chunk = 0; chunk < 300; chunk += 1) {
    const partition = chunk % 2;
    const records = Array.from({ length: CHUNK }, (_, k) => {
      const record = generator.next();
      return {
        index: chunk * CHUNK + k,
        kind: record.kind,
        expected: record.expected,
        dueTimeMs: 0,
        sentAtMs: 0,
      };
    });
    const batch = { partition, baseOffset: String(nextOffset[partition]), records, ackedAtMs: 0 };
    nextOffset[partition] = (nextOffset[partition] as bigint) + BigInt(CHUNK);
    if (chunk === options.skipChunk) continue;
    for (const record of records) whole.addSent(record);
    (ledgers[chunk % drivers] as DriverLedger).add(batch);
    batches.push(batch);
  }
  return { whole: whole.build(), ledgers, batches };
}

describe("mergeDriverLedgers", () => {
  it("adds the processes' counts up to what one ledger of every record says, and finds the offsets tiled", () => {
    const { whole, ledgers } = simulate(3);
    const merged = mergeDriverLedgers(ledgers.map((l) => l.part()));
    expect(merged.counts).toEqual(whole);
    expect(merged.counts.total).toBe(3_000);
    expect(merged.overlaps).toEqual([]);
    expect(merged.gaps).toEqual([]);
    expect(driverLedgerAssertion(merged, 3).pass).toBe(true);
  });

  it("joins a process's adjacent ranges, so its part stays small", () => {
    const { ledgers } = simulate(1);
    const part = (ledgers[0] as DriverLedger).part();
    expect(part.acked.get(0)).toEqual([{ from: 0n, to: 1_499n }]);
    expect(part.acked.get(1)).toEqual([{ from: 0n, to: 1_499n }]);
  });

  it("catches two processes that say they had the same offsets acknowledged", () => {
    const { ledgers, batches } = simulate(2);
    (ledgers[1] as DriverLedger).add(batches[4] as AckedBatch);
    const merged = mergeDriverLedgers(ledgers.map((l) => l.part()));
    expect(merged.overlaps).toEqual(["partition 0 offsets 20–29: acked by driver 0 and driver 1"]);
    const assertion = driverLedgerAssertion(merged, 2);
    expect(assertion.pass).toBe(false);
    expect(assertion.observedValue).toBe(1);
    expect(assertion.detail).toContain("partition 0 offsets 20–29");
  });

  it("catches offsets between the processes' acked ranges that none of them acknowledged", () => {
    const { ledgers } = simulate(2, { skipChunk: 7 });
    const merged = mergeDriverLedgers(ledgers.map((l) => l.part()));
    expect(merged.gaps).toEqual(["partition 1 offsets 30–39: acked by no driver"]);
    expect(merged.overlaps).toEqual([]);
    expect(driverLedgerAssertion(merged, 2).pass).toBe(false);
  });
});
