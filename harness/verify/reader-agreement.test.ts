import { describe, expect, it } from "vitest";
import { compareReaders, READERS_AGREE, readerAssertion } from "./reader-agreement.ts";

const view = (reader: string, records: [string, string][]) => ({ reader, records: new Map(records) });

describe("compareReaders", () => {
  it("passes two readers that handed over the same records", () => {
    const records: [string, string][] = [
      ["out/0@3", "user-login:0:0-99"],
      ["dlq/0@1", "dead letter of user-login/0@7 (not_json)"],
    ];
    const assertion = readerAssertion(compareReaders(view("kafkajs", records), view("librdkafka", records)));
    expect(assertion).toMatchObject({ name: READERS_AGREE, pass: true, observed: "2 records the same" });
  });

  it("fails a committed record one reader dropped, one only it saw, and a record read differently, by position and key", () => {
    // The instrument bug the issue suspects: kafkajs's aborted-transaction filter dropping a committed
    // window, here at out/0@5; librdkafka let an aborted one through at out/1@2.
    const kafkajs = view("kafkajs", [
      ["out/0@3", "user-login:0:0-99"],
      ["out/2@0", "user-login:2:0-9"],
    ]);
    const librdkafka = view("librdkafka", [
      ["out/0@3", "user-login:0:0-99"],
      ["out/0@5", "user-login:0:100-199"],
      ["out/1@2", "user-login:1:0-50"],
      ["out/2@0", "user-login:2:0-8"],
    ]);
    const comparison = compareReaders(kafkajs, librdkafka);
    expect(comparison).toMatchObject({ compared: true, agreed: 1 });
    const assertion = readerAssertion(comparison);
    expect(assertion.pass).toBe(false);
    expect(assertion.observed).toBe("3 record(s) differ");
    expect(assertion.detail).toBe(
      "out/0@5 (user-login:0:100-199) read by librdkafka only, not by kafkajs; " +
        "out/1@2 (user-login:1:0-50) read by librdkafka only, not by kafkajs; " +
        "out/2@0: kafkajs read user-login:2:0-9, librdkafka read user-login:2:0-8",
    );
  });

  it("orders disagreements by topic, partition and offset as numbers", () => {
    const comparison = compareReaders(
      view("a", [
        ["out/10@2", "x"],
        ["out/2@10", "x"],
        ["out/2@9", "x"],
      ]),
      view("b", []),
    );
    expect(comparison.compared && comparison.disagreements.map((d) => d.at)).toEqual([
      "out/2@9",
      "out/2@10",
      "out/10@2",
    ]);
  });

  it("says when only one reader read, and does not pass", () => {
    expect(readerAssertion({ compared: false, why: "librdkafka is not built" })).toMatchObject({
      pass: false,
      observed: "not compared",
      observedValue: null,
      detail: "librdkafka is not built",
    });
  });
});
