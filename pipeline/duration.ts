const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses durations such as `45s`, `5m`, `1h`, `250ms` or a plain number of seconds into milliseconds.
 * Throws a RangeError that says what a duration looks like.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new RangeError(`"${text}" is not a duration: use a number with ms, s, m or h, such as 45s or 5m`);
  }
  const unit = (match[2] ?? "s") as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}
