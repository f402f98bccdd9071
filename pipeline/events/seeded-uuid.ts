const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function hex32(word: number): string {
  return (
    (HEX_BYTES[word >>> 24] as string) +
    (HEX_BYTES[(word >>> 16) & 0xff] as string) +
    (HEX_BYTES[(word >>> 8) & 0xff] as string) +
    (HEX_BYTES[word & 0xff] as string)
  );
}

/**
 * A version-4 UUID from four 32-bit draws of a seeded source. faker's own `string.uuid()` spends 31 draws
 * and a string replace on one (about 2.5 µs, a third of the generator's time); this is about a fifth of that.
 */
export function seededUuid(draw32: () => number): string {
  const first = hex32(draw32());
  const second = hex32(((draw32() & 0xffff0fff) | 0x4000) >>> 0); // version 4
  const third = hex32(((draw32() & 0x3fffffff) | 0x80000000) >>> 0); // variant 10xx
  const fourth = hex32(draw32());
  return `${first}-${second.slice(0, 4)}-${second.slice(4)}-${third.slice(0, 4)}-${third.slice(4)}${fourth}`;
}
