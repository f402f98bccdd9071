import { describe, expect, it } from "vitest";
import {
  checkDeadLetters,
  type DeadLetter,
  deadLetterAssertion,
  type InvalidInputs,
} from "./dead-letters.ts";

const invalid: InvalidInputs = {
  topic: "user-login",
  byPartition: new Map([
    [
      0,
      new Map([
        ["4", "not_json"],
        ["9", "bad_timestamp"],
      ]),
    ],
    [2, new Map([["17", "too_large"]])],
  ]),
};

let next = 0;
function letter(partition: number | null, offset: string | null, reason: string | null): DeadLetter {
  return {
    at: `user-login-dlq/0@${next++}`,
    reason,
    sourceTopic: "user-login",
    sourcePartition: partition,
    sourceOffset: offset,
  };
}

const exact = () => [
  letter(0, "4", "not_json"),
  letter(0, "9", "bad_timestamp"),
  letter(2, "17", "too_large"),
];

describe("checkDeadLetters", () => {
  it("passes when each invalid input record is in the DLQ once, with its reason", () => {
    const check = checkDeadLetters(invalid, exact());
    expect(check).toMatchObject({ invalidInputs: 3, letters: 3, missing: 0, extra: 0, duplicated: 0 });
    const assertion = deadLetterAssertion(check);
    expect(assertion).toMatchObject({
      pass: true,
      relation: "=",
      expectedValue: { letters: 3, missing: 0, extra: 0, duplicated: 0, wrongReason: 0 },
      observedValue: { letters: 3, missing: 0, extra: 0, duplicated: 0, wrongReason: 0, problems: [] },
      observed: "3 letters, each once with its reason",
    });
    expect(assertion.detail).toBeUndefined();
  });

  it("names a missing dead letter by its input partition and offset", () => {
    const [, ...rest] = exact();
    const assertion = deadLetterAssertion(checkDeadLetters(invalid, rest));
    expect(assertion.pass).toBe(false);
    expect(assertion.observed).toBe("1 missing");
    expect(assertion.detail).toBe("missing: user-login/0@4 (not_json)");
    expect(assertion.observedValue).toMatchObject({
      missing: 1,
      problems: [{ kind: "missing", source: "user-login/0@4", expectedReason: "not_json", letters: [] }],
    });
  });

  it("names a dead letter sent twice, with both copies", () => {
    const letters = [...exact(), letter(2, "17", "too_large")];
    const check = checkDeadLetters(invalid, letters);
    expect(check.duplicated).toBe(1);
    expect(deadLetterAssertion(check).detail).toBe(
      `duplicated: user-login/2@17 2 times (${letters[2]?.at}, ${letters[3]?.at})`,
    );
  });

  it("names a dead letter with the wrong reason", () => {
    const letters = exact();
    letters[1] = letter(0, "9", "not_json");
    const assertion = deadLetterAssertion(checkDeadLetters(invalid, letters));
    expect(assertion.observed).toBe("1 wrong reason");
    expect(assertion.detail).toBe(
      `wrong reason: user-login/0@9 is bad_timestamp, ${letters[1]?.at} says not_json`,
    );
  });

  it("counts letters for valid records, other topics or without source headers as extra", () => {
    const stray = letter(0, "5", "not_json");
    const foreign = { ...letter(0, "4", "not_json"), sourceTopic: "elsewhere" };
    const anonymous = { ...letter(null, null, null), sourceTopic: null };
    const check = checkDeadLetters(invalid, [...exact(), stray, foreign, anonymous]);
    expect(check).toMatchObject({ extra: 3, missing: 0, duplicated: 0, wrongReason: 0 });
    const detail = deadLetterAssertion(check).detail ?? "";
    expect(detail).toContain(`extra: ${stray.at} for user-login/0@5, which is not an invalid input record`);
    expect(detail).toContain("for elsewhere/0@4");
    expect(detail).toContain("for (no source topic)/(no partition)@(no offset)");
  });

  it("caps the listed problems but keeps the counts whole", () => {
    const many: InvalidInputs = {
      topic: "t",
      byPartition: new Map([[0, new Map(Array.from({ length: 80 }, (_, i) => [String(i), "empty"]))]]),
    };
    const assertion = deadLetterAssertion(checkDeadLetters(many, []));
    expect(assertion.observedValue).toMatchObject({ missing: 80 });
    expect((assertion.observedValue as { problems: unknown[] }).problems).toHaveLength(50);
    expect(assertion.detail).toMatch(/; and 70 more$/);
  });
});
