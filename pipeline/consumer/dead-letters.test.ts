import { describe, expect, it } from "vitest";
import { byteChunks, type DeadLetter, deadLetter } from "./dead-letters.ts";

const letter = (bytes: number): DeadLetter => ({ key: null, value: Buffer.alloc(bytes), headers: {} });

describe("dead letters in bounded requests", () => {
  it("keeps each request under the limit and sends a record bigger than it on its own", () => {
    const letters = [letter(300), letter(300), letter(900), letter(100), letter(100)];
    const chunks = [...byteChunks(letters, 700)].map((chunk) => chunk.map((l) => l.value?.length));
    expect(chunks).toEqual([[300, 300], [900], [100, 100]]);
  });

  it("loses and reorders nothing", () => {
    const letters = Array.from({ length: 50 }, (_, i) => letter(i * 37));
    expect([...byteChunks(letters, 500)].flat()).toEqual(letters);
  });

  it("keeps a rejected record unchanged and says why and where it came from", () => {
    const value = Buffer.from("not json");
    const rejected = deadLetter({ key: Buffer.from("k"), value, offset: "42" }, "user-login", 3, "not_json");
    expect(rejected.value).toBe(value);
    expect(rejected.headers).toEqual({
      "dlq.reason": "not_json",
      "dlq.source.topic": "user-login",
      "dlq.source.partition": "3",
      "dlq.source.offset": "42",
    });
  });
});
