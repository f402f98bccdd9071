import { UsageError } from "../core/errors.ts";
import type { LoadProfile } from "../scenario/types.ts";

/** More driver processes than this on one machine would only fight over its cores. */
export const MAX_PRODUCERS = 32;

/**
 * `--producers N`: how many load driver processes share the schedule (default 1). A max-rate search
 * decides its next rate from what it saw, as it goes; its driver processes would each have to learn every
 * decision before the events it reshapes fell due, so a search runs on one process.
 */
export function producersFrom(value: string | string[] | undefined, load: LoadProfile): number {
  if (Array.isArray(value))
    throw new UsageError(`--producers was given ${value.length} times`, "give --producers once");
  if (value === undefined) return 1;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= 1 && n <= MAX_PRODUCERS))
    throw new UsageError(
      `--producers: ${value} is not a whole number from 1 to ${MAX_PRODUCERS}`,
      "e.g. --producers 2",
    );
  if (n > 1 && load.kind === "search")
    throw new UsageError(
      `--producers ${n} cannot drive a max-rate search: the search changes the rate from what it sees, and ${n} processes would not all follow each change at the same event`,
      "run the search with --producers 1 (the default), or a fixed profile (e.g. a step scenario) with --producers",
    );
  return n;
}
