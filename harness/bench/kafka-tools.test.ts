import { describe, expect, it } from "vitest";
import { parseConsumerPerformance, parseProducerPerformance } from "./kafka-tools.ts";

// Output of Kafka 3.9.2's tools as they wrote it, SLF4J noise included (stderr shares the log).
const SLF4J = [
  "SLF4J: Class path contains multiple SLF4J bindings.",
  "log4j:WARN Please initialize the log4j system properly.",
].join("\n");

describe("parseProducerPerformance", () => {
  it("reads the final summary, not a progress line", () => {
    const output = [
      SLF4J,
      "120353 records sent, 24061.0 records/sec (4.59 MB/sec), 480.3 ms avg latency, 759.0 ms max latency.",
      "200000 records sent, 45475.216007 records/sec (8.67 MB/sec), 257.00 ms avg latency, 759.00 ms max latency, 259 ms 50th, 372 ms 95th, 396 ms 99th, 415 ms 99.9th.",
    ].join("\n");
    expect(parseProducerPerformance(output)).toEqual({
      records: 200_000,
      perSec: 45_475.216007,
      mbPerSec: 8.67,
      avgLatencyMs: 257,
      p99LatencyMs: 396,
    });
  });

  it("fails with the output when the tool printed no summary", () => {
    expect(() => parseProducerPerformance(`${SLF4J}\nException in thread "main"`)).toThrow(
      /Exception in thread/,
    );
  });
});

describe("parseConsumerPerformance", () => {
  it("reads the figures by column name", () => {
    const output = [
      SLF4J,
      "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
      "2026-11-25 17:53:26:017, 2026-11-25 17:53:27:965, 19.0735, 9.7913, 100000, 51334.7023, 972, 976, 19.5425, 102459.0164",
    ].join("\n");
    expect(parseConsumerPerformance(output)).toEqual({
      messages: 100_000,
      perSec: 51_334.7023,
      fetchPerSec: 102_459.0164,
      rebalanceMs: 972,
      fetchMs: 976,
    });
  });

  it("fails when the figures line is cut short", () => {
    const output = "start.time, end.time, data.consumed.in.nMsg\n2026-11-25 17:53:26:017, 100000";
    expect(() => parseConsumerPerformance(output)).toThrow(/no ConsumerPerformance figures/);
  });
});
