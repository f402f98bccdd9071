/**
 * Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), in 32-bit integer arithmetic as Java
 * computes it. kafkajs's own copy does the same sums with 64-bit Long objects, about 6 µs a key: at full
 * speed that was a sixth of the producer's time.
 */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = Math.imul(data.readInt32LE(i), m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    // The last one to three bytes, folded in as Java's switch with fall-through does.
    if (tail === 3) h ^= (data[whole + 2] ?? 0) << 16;
    if (tail >= 2) h ^= (data[whole + 1] ?? 0) << 8;
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}
