import { describe, expect, it } from "vitest";
import { RD_OFFSET_BEGINNING } from "../kafka/librdkafka.ts";
import { resumeAt } from "./librdkafka-aggregator.ts";

describe("resumeAt", () => {
  it("resumes each partition at its committed offset, and one without a commit at the beginning", () => {
    expect(
      resumeAt("user-login", [
        { partition: 0, offset: 4_598 },
        { partition: 1, offset: 0 },
        { partition: 2, offset: -1_001 },
      ]),
    ).toEqual([
      { topic: "user-login", partition: 0, offset: 4_598 },
      { topic: "user-login", partition: 1, offset: 0 },
      { topic: "user-login", partition: 2, offset: RD_OFFSET_BEGINNING },
    ]);
  });
});
