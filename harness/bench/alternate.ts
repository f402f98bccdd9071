import { median } from "../core/stats.ts";

/** One contender's samples from alternating rounds, summarised. */
export interface Contender {
  name: string;
  /** One per round, in the order taken. */
  samplesPerSec: number[];
  medianPerSec: number;
  minPerSec: number;
  maxPerSec: number;
  /** (max − min) / median: how much the rounds disagreed. */
  spread: number;
  /** Median over the reference's median; 1 for the reference itself. */
  ratio: number;
}

/**
 * Runs every contender once per round, in the same order each round (A B C A B C …), so that a slow spell
 * of a shared machine falls on all of them rather than on one.
 */
export async function alternate<N extends string>(
  names: readonly N[],
  rounds: number,
  runOnce: (name: N, round: number) => Promise<number>,
): Promise<Map<N, number[]>> {
  const samples = new Map<N, number[]>(names.map((n) => [n, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const name of names) samples.get(name)?.push(await runOnce(name, round));
  }
  return samples;
}

/** Median, range and spread of each contender, and its ratio to the reference's median. */
export function summarise(samples: ReadonlyMap<string, readonly number[]>, reference: string): Contender[] {
  const referenceSamples = samples.get(reference);
  if (!referenceSamples) throw new RangeError(`no samples of the reference ${reference}`);
  const referenceMedian = median(referenceSamples);
  return [...samples].map(([name, values]) => {
    const mid = median(values);
    const min = Math.min(...values);
    const max = Math.max(...values);
    return {
      name,
      samplesPerSec: [...values],
      medianPerSec: mid,
      minPerSec: min,
      maxPerSec: max,
      spread: mid > 0 ? (max - min) / mid : 0,
      ratio: referenceMedian > 0 ? mid / referenceMedian : 0,
    };
  });
}
