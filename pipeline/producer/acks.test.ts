import type { RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { mapAcks, recordOffset, type SentRecord } from "./acks.ts";

function sent(index: number): SentRecord {
  return {
    index,
    kind: "valid",
    expected: { ok: false, reason: "empty" },
    dueTimeMs: 1000 + index,
    sentAtMs: 2000 + index,
  };
}

function answer(partition: number, baseOffset: string | undefined, errorCode = 0): RecordMetadata {
  return { topicName: "t", partition, errorCode, ...(baseOffset === undefined ? {} : { baseOffset }) };
}

describe("mapAcks", () => {
  it("gives one batch per partition sent to, starting at the broker's base offset", () => {
    const byPartition = new Map([
      [2, [sent(0), sent(3)]],
      [0, [sent(1), sent(2), sent(4)]],
    ]);
    const batches = mapAcks(byPartition, [answer(0, "41"), answer(2, "7")], 5000);
    expect(batches).toEqual([
      { partition: 2, baseOffset: "7", records: [sent(0), sent(3)], ackedAtMs: 5000 },
      { partition: 0, baseOffset: "41", records: [sent(1), sent(2), sent(4)], ackedAtMs: 5000 },
    ]);
    const zero = batches[1];
    if (!zero) throw new Error("no batch for partition 0");
    expect(zero.records.map((r, i) => [r.index, recordOffset(zero, i)])).toEqual([
      [1, "41"],
      [2, "42"],
      [4, "43"],
    ]);
  });

  it("counts offsets past 2^53 exactly", () => {
    const [batch] = mapAcks(new Map([[0, [sent(0), sent(1)]]]), [answer(0, "9007199254740993")], 0);
    if (!batch) throw new Error("no batch");
    expect(recordOffset(batch, 1)).toBe("9007199254740994");
  });

  it("refuses an answer that leaves out a partition, or lacks its offset, or has an error", () => {
    const byPartition = new Map([
      [0, [sent(0)]],
      [1, [sent(1)]],
    ]);
    expect(() => mapAcks(byPartition, [answer(0, "1")], 0)).toThrow(
      /no offset for partition 1, which was sent 1/,
    );
    expect(() => mapAcks(byPartition, [answer(0, "1"), answer(1, undefined)], 0)).toThrow(
      /no offset for partition 1/,
    );
    expect(() => mapAcks(byPartition, [answer(0, "1"), answer(1, "5", 6)], 0)).toThrow(
      /no offset for partition 1/,
    );
  });

  it("refuses an answer for a partition not sent to, or two answers for one", () => {
    const byPartition = new Map([[0, [sent(0)]]]);
    expect(() => mapAcks(byPartition, [answer(0, "1"), answer(3, "1")], 0)).toThrow(
      /partition\(s\) 3, which were not sent to/,
    );
    expect(() => mapAcks(byPartition, [answer(0, "1"), answer(0, "2")], 0)).toThrow(
      /answered twice for partition 0/,
    );
  });
});
