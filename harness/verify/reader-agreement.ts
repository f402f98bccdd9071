import type { Assertion } from "../core/assertion.ts";
import { formatCount } from "../core/format.ts";
import { MAX_LISTED } from "./assertion.ts";

/** What one read_committed reader handed over: each record's position ("topic/partition@offset") and label. */
export interface ReadView {
  reader: string;
  /** Position → what the record is (an analytics key, a dead letter's source). */
  records: Map<string, string>;
}

export interface ReaderDisagreement {
  at: string;
  /** The label each reader gave the record there; null where that reader did not hand it over. */
  labels: Record<string, string | null>;
}

export type ReaderComparison =
  | { compared: true; readers: [string, string]; agreed: number; disagreements: ReaderDisagreement[] }
  | { compared: false; why: string };

/**
 * Two independent readers of the same topics and offsets must hand over the same records: a record one
 * saw and the other did not is a bug in a reader (a committed record dropped, or an aborted one let
 * through), and the verifier cannot be trusted until it is known which.
 */
export function compareReaders(a: ReadView, b: ReadView): ReaderComparison {
  const disagreements: ReaderDisagreement[] = [];
  let agreed = 0;
  for (const [at, label] of a.records) {
    const other = b.records.get(at);
    if (other === label) agreed += 1;
    else disagreements.push({ at, labels: { [a.reader]: label, [b.reader]: other ?? null } });
  }
  for (const [at, label] of b.records) {
    if (!a.records.has(at)) disagreements.push({ at, labels: { [a.reader]: null, [b.reader]: label } });
  }
  disagreements.sort((x, y) => byPosition(x.at, y.at));
  return { compared: true, readers: [a.reader, b.reader], agreed, disagreements };
}

export const READERS_AGREE = "two read_committed readers agree on the analytics and dead letters";

export function readerAssertion(comparison: ReaderComparison): Assertion {
  if (!comparison.compared) {
    return {
      name: READERS_AGREE,
      relation: "=",
      expectedValue: 0,
      observedValue: null,
      expected: "the same records",
      observed: "not compared",
      // Not a pass: with one reader, a record it dropped or let through cannot be told from the pipeline's doing.
      pass: false,
      detail: comparison.why,
    };
  }
  const { disagreements, agreed, readers } = comparison;
  const assertion: Assertion = {
    name: READERS_AGREE,
    relation: "=",
    expectedValue: 0,
    observedValue: {
      agreed,
      disagreements: disagreements.slice(0, MAX_LISTED).map((d) => ({ at: d.at, labels: { ...d.labels } })),
      disagreeing: disagreements.length,
    },
    unit: "records",
    expected: `${readers.join(" = ")}`,
    observed:
      disagreements.length === 0
        ? `${formatCount(agreed)} records the same`
        : `${formatCount(disagreements.length)} record(s) differ`,
    pass: disagreements.length === 0,
  };
  if (disagreements.length > 0) {
    const listed = disagreements.slice(0, MAX_LISTED).map((d) => {
      const [first, second] = readers.map((r) => d.labels[r] ?? null);
      if (first !== null && second !== null)
        return `${d.at}: ${readers[0]} read ${first}, ${readers[1]} read ${second}`;
      const [saw, missed] = first !== null ? readers : [readers[1], readers[0]];
      return `${d.at} (${first ?? second}) read by ${saw} only, not by ${missed}`;
    });
    if (disagreements.length > MAX_LISTED) listed.push(`and ${disagreements.length - MAX_LISTED} more`);
    assertion.detail = listed.join("; ");
  }
  return assertion;
}

/** "topic/partition@offset" in topic, then partition, then offset order. */
function byPosition(a: string, b: string): number {
  const [ta, pa, oa] = parse(a);
  const [tb, pb, ob] = parse(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (pa !== pb) return pa - pb;
  return oa < ob ? -1 : oa > ob ? 1 : 0;
}

function parse(at: string): [string, number, bigint] {
  const match = /^(.*)\/(\d+)@(\d+)$/.exec(at);
  return match ? [match[1] as string, Number(match[2]), BigInt(match[3] as string)] : [at, 0, 0n];
}
