import { describe, expect, it } from "vitest";
import type { DeliverySegment, PartitionDelivery } from "../kafka/record-producer.ts";
import { mapDeliveries, recordOffset, type SentRecord } from "./acks.ts";

function sent(index: number): SentRecord {
  return {
    index,
    kind: "valid",
    expected: { ok: false, reason: "empty" },
    dueTimeMs: 1000 + index,
    sentAtMs: 2000 + index,
  };
}

const landed = (count: number, baseOffset: string): DeliverySegment => ({ count, baseOffset });
const delivery = (partition: number, ...segments: DeliverySegment[]): PartitionDelivery => ({
  partition,
  segments,
});

describe("mapDeliveries", () => {
  it("gives one batch per partition sent to, starting at the broker's base offset", () => {
    const byPartition = new Map([
      [2, [sent(0), sent(3)]],
      [0, [sent(1), sent(2), sent(4)]],
    ]);
    const { acked, failed } = mapDeliveries(
      byPartition,
      [delivery(0, landed(3, "41")), delivery(2, landed(2, "7"))],
      5000,
    );
    expect(failed).toEqual([]);
    expect(acked).toEqual([
      { partition: 2, baseOffset: "7", records: [sent(0), sent(3)], ackedAtMs: 5000 },
      { partition: 0, baseOffset: "41", records: [sent(1), sent(2), sent(4)], ackedAtMs: 5000 },
    ]);
    const zero = acked[1];
    if (!zero) throw new Error("no batch for partition 0");
    expect(zero.records.map((r, i) => [r.index, recordOffset(zero, i)])).toEqual([
      [1, "41"],
      [2, "42"],
      [4, "43"],
    ]);
  });

  it("splits a partition's records where their offsets jump or where some failed", () => {
    const boom = new Error("timed out");
    const records = [0, 1, 2, 3, 4, 5].map(sent);
    const { acked, failed } = mapDeliveries(
      new Map([[1, records]]),
      [delivery(1, landed(2, "10"), landed(1, "20"), { count: 2, error: boom }, landed(1, "30"))],
      9,
    );
    expect(acked.map((a) => [a.baseOffset, a.records.map((r) => r.index)])).toEqual([
      ["10", [0, 1]],
      ["20", [2]],
      ["30", [5]],
    ]);
    expect(failed).toEqual([{ error: boom, records: [sent(3), sent(4)] }]);
  });

  it("counts offsets past 2^53 exactly", () => {
    const { acked } = mapDeliveries(
      new Map([[0, [sent(0), sent(1)]]]),
      [delivery(0, landed(2, "9007199254740993"))],
      0,
    );
    const [batch] = acked;
    if (!batch) throw new Error("no batch");
    expect(recordOffset(batch, 1)).toBe("9007199254740994");
  });

  it("refuses an answer that leaves out a partition or covers a different number of its records", () => {
    const byPartition = new Map([
      [0, [sent(0)]],
      [1, [sent(1), sent(2)]],
    ]);
    expect(() => mapDeliveries(byPartition, [delivery(0, landed(1, "1"))], 0)).toThrow(
      /covers 0 record\(s\) of partition 1, which was sent 2/,
    );
    expect(() =>
      mapDeliveries(byPartition, [delivery(0, landed(1, "1")), delivery(1, landed(3, "5"))], 0),
    ).toThrow(/covers 3 record\(s\) of partition 1, which was sent 2/);
  });

  it("refuses an answer for a partition not sent to, or two answers for one", () => {
    const byPartition = new Map([[0, [sent(0)]]]);
    expect(() =>
      mapDeliveries(byPartition, [delivery(0, landed(1, "1")), delivery(3, landed(1, "1"))], 0),
    ).toThrow(/partition\(s\) 3, which were not sent to/);
    expect(() =>
      mapDeliveries(byPartition, [delivery(0, landed(1, "1")), delivery(0, landed(1, "2"))], 0),
    ).toThrow(/answered twice for partition 0/);
  });
});
