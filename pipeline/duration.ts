const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;

/** What a duration looks like, for error messages on both sides (pipeline and lab). */
export const DURATION_FORMS = "a number with h, m, s or ms, such as 45s, 5m, 1m30s or 250ms";

/**
 * Parses durations such as `45s`, `5m`, `1h`, `250ms`, Go/k6-style compounds such as `1m30s` or `1h5m`
 * (largest unit first, each unit once), or a plain number of seconds, into milliseconds.
 * Throws a RangeError that says what a duration looks like.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const fail = () => new RangeError(`${text} is not a duration: use ${DURATION_FORMS}`);
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * UNIT_MS.s);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) throw fail();
  const order: Unit[] = ["h", "m", "s", "ms"];
  let total = 0;
  let last = -1;
  for (const [, amount, unit] of parts) {
    const rank = order.indexOf(unit as Unit);
    if (rank <= last) throw fail();
    last = rank;
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  return Math.round(total);
}
