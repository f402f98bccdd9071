/**
 * Whether consumer lag kept growing over one step of the rate search. The aggregator commits once per
 * window, so lag is a sawtooth even when it keeps up; what tells falling behind from that is the floor of
 * the sawtooth. Compares the lowest lag of the step's second half with its first half: growing when the
 * floor rose by more than one second of input and is itself above one second of input.
 */
export function lagKeptGrowing(lagSamples: readonly number[], ratePerSec: number): boolean {
  if (lagSamples.length < 4) return false;
  const half = Math.floor(lagSamples.length / 2);
  const firstFloor = Math.min(...lagSamples.slice(0, half));
  const secondFloor = Math.min(...lagSamples.slice(half));
  const oneSecond = Math.max(1, ratePerSec);
  return secondFloor > firstFloor + oneSecond && secondFloor > oneSecond;
}
