import { describe, expect, it } from "vitest";
import { createLoginGenerator, type GeneratedRecord, MALFORMED_KINDS } from "../events/generator.ts";
import { workerSource } from "./record-source.ts";

// The oversized kinds would make this test about copying megabytes; their making is the generator's to test.
const options = {
  seed: 5,
  malformed: 0.3,
  malformedKinds: MALFORMED_KINDS.filter((k) => k !== "too_large" && k !== "near_kafka_limit"),
};

/** What the generator makes on this thread for the given due times. */
function madeHere(dueTimes: number[]): GeneratedRecord[] {
  let due = 0;
  const generator = createLoginGenerator({ ...options, clock: { now: () => due } });
  return dueTimes.map((t) => {
    due = t;
    return generator.next();
  });
}

describe("workerSource", () => {
  it.for([
    { when: "in place, the digits the same in number", from: 1_700_000_000_000 },
    { when: "from its JSON, the timestamp gaining a digit", from: 9_999_985_000 },
  ])(
    "makes on its worker exactly the records the generator makes here, re-stamping valid ones where due times moved: $when",
    { timeout: 30_000 },
    async ({ from }) => {
      const source = await workerSource(options);
      try {
        const predicted = Array.from({ length: 3_000 }, (_, i) => from + i * 10);
        source.request?.(predicted.slice(0, 2_000));
        source.request?.(predicted.slice(2_000));
        // The schedule changed after it was asked for: from record 1,000 on, each is due 7 s later.
        const actual = predicted.map((t, i) => (i < 1_000 ? t : t + 7_000));
        const taken: GeneratedRecord[] = [];
        while (taken.length < actual.length) {
          const record = source.take(actual[taken.length] as number);
          if (record) taken.push(record);
          else await source.ready();
        }
        const expected = madeHere(actual);
        expect(taken.filter((r) => r.kind !== "valid").length).toBeGreaterThan(500);
        const differing = taken.flatMap((r, i) => {
          const e = expected[i] as GeneratedRecord;
          return r.value.equals(e.value) && r.key === e.key && r.kind === e.kind ? [] : [{ i, kind: r.kind }];
        });
        // Only malformed records due in another second than asked keep the timestamp they were made with.
        expect(differing.filter(({ i, kind }) => kind === "valid" || i < 1_000)).toEqual([]);
        expect(taken.slice(0, 1_000).filter((r, i) => !r.value.equals(expected[i]?.value as Buffer))).toEqual(
          [],
        );
        expect(taken.map((r) => r.expected)).toEqual(expected.map((r) => r.expected));
      } finally {
        await source.close();
      }
    },
  );

  it("has nothing to take before it is asked, and says so instead of waiting", async () => {
    const source = await workerSource(options);
    try {
      expect(source.take(0)).toBeUndefined();
    } finally {
      await source.close();
    }
  });
});
