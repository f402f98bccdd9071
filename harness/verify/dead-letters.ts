import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import { MAX_LISTED } from "./assertion.ts";

/** One message read from the DLQ, with what its headers say about the input record it carries. */
export interface DeadLetter {
  /** Where the letter itself sits: `dlq-topic/partition@offset`. */
  at: string;
  reason: string | null;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
}

/** The input records the recount found invalid: per partition, offset → reason. */
export interface InvalidInputs {
  topic: string;
  byPartition: Map<number, Map<string, string>>;
}

export interface DeadLetterProblem {
  kind: "missing" | "extra" | "duplicated" | "wrong reason";
  /** The input record concerned, as `topic/partition@offset`, or what the letter's headers said. */
  source: string;
  expectedReason: string | null;
  observedReason: string | null;
  /** The dead letters concerned. */
  letters: string[];
}

export interface DeadLetterCheck {
  invalidInputs: number;
  letters: number;
  missing: number;
  extra: number;
  duplicated: number;
  wrongReason: number;
  problems: DeadLetterProblem[];
}

/**
 * Each invalid input record must be in the DLQ exactly once, under the reason the recount gave it and with
 * its source partition and offset in the headers. Letters for valid or unknown records are extra.
 */
export function checkDeadLetters(invalid: InvalidInputs, letters: readonly DeadLetter[]): DeadLetterCheck {
  const bySource = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const key = sourceOf(letter.sourceTopic, letter.sourcePartition, letter.sourceOffset);
    const group = bySource.get(key);
    if (group) group.push(letter);
    else bySource.set(key, [letter]);
  }
  const check: DeadLetterCheck = {
    invalidInputs: 0,
    letters: letters.length,
    missing: 0,
    extra: 0,
    duplicated: 0,
    wrongReason: 0,
    problems: [],
  };
  const problem = (p: Omit<DeadLetterProblem, "letters">, found: readonly DeadLetter[]) =>
    check.problems.push({ ...p, letters: found.map((l) => l.at) });

  for (const [partition, offsets] of [...invalid.byPartition].sort(([a], [b]) => a - b)) {
    for (const [offset, reason] of offsets) {
      check.invalidInputs += 1;
      const source = sourceOf(invalid.topic, partition, offset);
      const found = bySource.get(source) ?? [];
      bySource.delete(source);
      const base = { source, expectedReason: reason };
      if (found.length === 0) {
        check.missing += 1;
        problem({ ...base, kind: "missing", observedReason: null }, []);
        continue;
      }
      if (found.length > 1) {
        check.duplicated += found.length - 1;
        problem({ ...base, kind: "duplicated", observedReason: found[0]?.reason ?? null }, found);
      }
      for (const letter of found.filter((l) => l.reason !== reason)) {
        check.wrongReason += 1;
        problem({ ...base, kind: "wrong reason", observedReason: letter.reason }, [letter]);
      }
    }
  }
  for (const [source, found] of bySource) {
    check.extra += found.length;
    problem({ source, kind: "extra", expectedReason: null, observedReason: found[0]?.reason ?? null }, found);
  }
  return check;
}

function sourceOf(topic: string | null, partition: number | null, offset: string | null): string {
  return `${topic ?? "(no source topic)"}/${partition ?? "(no partition)"}@${offset ?? "(no offset)"}`;
}

/** Problems kept in report.json; the counts say how many there were in all. */
const MAX_KEPT = 50;

export function deadLetterAssertion(check: DeadLetterCheck): Assertion {
  const { missing, extra, duplicated, wrongReason } = check;
  const pass = missing + extra + duplicated + wrongReason === 0;
  const counts = { missing, extra, duplicated, wrongReason };
  const observed = pass
    ? `${formatCount(check.letters)} letters, each once with its reason`
    : Object.entries({ missing, extra, duplicated, "wrong reason": wrongReason })
        .filter(([, n]) => n > 0)
        .map(([what, n]) => `${formatCount(n)} ${what}`)
        .join(", ");
  const assertion: Assertion = {
    name: "DLQ holds each invalid input record once, with its reason",
    relation: "=",
    expectedValue: { letters: check.invalidInputs, missing: 0, extra: 0, duplicated: 0, wrongReason: 0 },
    observedValue: {
      letters: check.letters,
      ...counts,
      problems: check.problems.slice(0, MAX_KEPT).map((p) => ({ ...p })),
    },
    unit: "dead letters",
    expected: `${formatCount(check.invalidInputs)} letters, each once with its reason`,
    observed,
    pass,
  };
  if (!pass) {
    const listed = check.problems.slice(0, MAX_LISTED).map(describeProblem);
    if (check.problems.length > MAX_LISTED) listed.push(`and ${check.problems.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

function describeProblem(p: DeadLetterProblem): string {
  switch (p.kind) {
    case "missing":
      return `missing: ${p.source} (${p.expectedReason})`;
    case "duplicated":
      return `duplicated: ${p.source} ${p.letters.length} times (${p.letters.join(", ")})`;
    case "wrong reason":
      return `wrong reason: ${p.source} is ${p.expectedReason}, ${p.letters.join(", ")} says ${p.observedReason ?? "nothing"}`;
    case "extra":
      return `extra: ${p.letters.join(", ")} for ${p.source}, which is not an invalid input record (reason ${p.observedReason ?? "none"})`;
  }
}
