/** Keys and their murmur2 as Apache Kafka's own UtilsTest states them (signed 32-bit, as Java computes). */
export const JAVA_MURMUR2: readonly [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];
