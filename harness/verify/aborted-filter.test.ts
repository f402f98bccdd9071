import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

type Record = {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
};
type Filter = (input: {
  messages: Record[];
  abortedTransactions: { producerId: string; firstOffset: string }[];
}) => Record[];

/** kafkajs's read_committed filter, as `npm ci` leaves it (patches/kafkajs+2.2.4.patch mends it). */
const filterAbortedMessages = createRequire(import.meta.url)(
  "kafkajs/src/consumer/filterAbortedMessages.js",
) as Filter;

const data = (offset: number, producerId: string): Record => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  batchContext: { producerId, inTransaction: true },
});
const marker = (offset: number, producerId: string, kind: "abort" | "commit"): Record => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, kind === "abort" ? 0 : 1]),
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});
/** The offsets of the data records the filter keeps of `messages`, given the fetch's aborted transactions. */
const keptOffsets = (
  messages: Record[],
  abortedTransactions: { producerId: string; firstOffset: string }[],
) =>
  filterAbortedMessages({ messages, abortedTransactions })
    .filter((r) => !r.isControlRecord)
    .map((r) => Number(r.offset));

describe("kafkajs's read_committed filter of aborted transactions", () => {
  it("drops both of two aborted transactions that started before the first record fetched", () => {
    // Two aggregators' windows aborted side by side on the analytics partition, the fetch starting inside
    // both (the broker lists every aborted transaction the fetched range overlaps); 3 committed after them.
    const messages = [
      data(5, "2"),
      data(6, "1"),
      data(7, "2"),
      marker(8, "1", "abort"),
      marker(9, "2", "abort"),
      data(10, "3"),
      marker(11, "3", "commit"),
    ];
    expect(
      keptOffsets(messages, [
        { producerId: "1", firstOffset: "0" },
        { producerId: "2", firstOffset: "1" },
      ]),
    ).toEqual([10]);
  });

  it("keeps a producer's committed transaction after its aborted one, however many aborts start first", () => {
    const messages = [
      data(8, "1"),
      marker(9, "3", "abort"),
      data(10, "3"),
      marker(11, "3", "commit"),
      marker(12, "1", "abort"),
      marker(13, "2", "abort"),
    ];
    expect(
      keptOffsets(messages, [
        { producerId: "1", firstOffset: "8" },
        { producerId: "2", firstOffset: "8" },
        { producerId: "3", firstOffset: "8" },
      ]),
    ).toEqual([10]);
  });

  it("ends an aborted transaction only at a control record, not at a record whose key looks like one", () => {
    const lookalike = { ...data(1, "1"), key: Buffer.from([0, 0, 0, 0]) };
    const messages = [data(0, "1"), lookalike, data(2, "1"), marker(3, "1", "abort")];
    expect(keptOffsets(messages, [{ producerId: "1", firstOffset: "0" }])).toEqual([]);
  });
});
