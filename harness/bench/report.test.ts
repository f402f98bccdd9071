import { describe, expect, it } from "vitest";
import type { AggregatorCase } from "./aggregator.ts";
import { type Contender, summarise } from "./alternate.ts";
import { type BenchFigures, benchNotes, benchRows, busyMachineNote, TABLE_HEADERS } from "./report.ts";

function aggregatorCase(perSec: number, problems: string[]): AggregatorCase {
  const [ours, reference] = summarise(
    new Map([
      ["3c on librdkafka", [perSec, perSec]],
      ["ConsumerPerformance", [100_000, 100_000]],
    ]),
    "ConsumerPerformance",
  ) as [Contender, Contender];
  return { client: "librdkafka", partitions: 6, consumers: 3, ours, reference, problems, ratio: ours.ratio };
}

const figures: BenchFigures = {
  startup: [
    { brokers: 1, samplesMs: [6_000, 8_000], medianMs: 7_000, aimMs: 15_000 },
    { brokers: 3, samplesMs: [31_000, 33_000], medianMs: 32_000, aimMs: 30_000 },
  ],
  aggregator: {
    events: 300_000,
    windowMs: 1_000,
    malformedShare: 0.02,
    aimRatio: 0.6,
    cases: [aggregatorCase(60_000, []), aggregatorCase(40_000, ["1 gaps between ranges"])],
  },
};

describe("benchRows", () => {
  const rows = benchRows(figures);

  it("gives every row a cell per header", () => {
    for (const row of rows) expect(row).toHaveLength(TABLE_HEADERS.length);
  });

  it("judges each aim from the measured figure and compares 3 brokers with 1", () => {
    expect(rows[0]?.slice(4, 6)).toEqual(["< 15.0 s", "✔"]);
    expect(rows[1]?.slice(3, 6)).toEqual(["4.57× 1 broker", "< 30.0 s", "✘"]);
    expect(rows[2]?.slice(0, 7)).toEqual([
      "aggregator on librdkafka, 6 partitions × 3 consumers",
      "60,000 ev/s (60,000–60,000)",
      "ConsumerPerformance 100,000 msg/s (100,000–100,000)",
      "0.60×",
      "≥ 0.60×",
      "✔",
      "✔",
    ]);
    expect(rows[3]?.slice(5, 7)).toEqual(["✘", "✘"]);
  });
});

describe("benchRows for the driver", () => {
  it("gives each client's median, range and ratio to ProducerPerformance, and judges the 1.0× aim", () => {
    const contenders = summarise(
      new Map([
        ["ours on kafkajs", [40, 50, 45]],
        ["ours on librdkafka", [110, 130, 120]],
        ["ProducerPerformance", [90, 100, 120]],
      ]),
      "ProducerPerformance",
    );
    const rows = benchRows({
      producer: {
        events: 1_000,
        rounds: 3,
        meanValueBytes: 200,
        cases: [{ partitions: 6, contenders }],
        processes: 1,
        generatorMicrosPerRecord: 12_500,
      },
    });
    expect(rows.slice(0, 2).map((r) => [r[0], r[1], r[2], r[3], r[5]])).toEqual([
      [
        "driver, ours on kafkajs, 6 partitions",
        "45 ev/s (40–50)",
        "ProducerPerformance 100 rec/s (90–120)",
        "0.45×",
        "✘",
      ],
      [
        "driver, ours on librdkafka, 6 partitions",
        "120 ev/s (110–130)",
        "ProducerPerformance 100 rec/s (90–120)",
        "1.20×",
        "✔",
      ],
    ]);
  });
});

describe("benchRows for the generator", () => {
  const producer = (generatorMicrosPerRecord: number, kafkaPerSec: number[]) => ({
    producer: {
      events: 1_000,
      rounds: 3,
      meanValueBytes: 200,
      cases: [
        {
          partitions: 1,
          contenders: summarise(
            new Map([["ProducerPerformance", kafkaPerSec.map((x) => x / 2)]]),
            "ProducerPerformance",
          ),
        },
        {
          partitions: 6,
          contenders: summarise(new Map([["ProducerPerformance", kafkaPerSec]]), "ProducerPerformance"),
        },
      ],
      processes: 1,
      generatorMicrosPerRecord,
    },
  });

  it("sets the rate one worker makes records at against ProducerPerformance's fastest median", () => {
    const row = benchRows(producer(8, [100_000, 110_000, 120_000])).at(-1);
    expect(row).toEqual([
      "generator's work per record, timed alone (no Kafka)",
      "8.00 µs/event: 125,000 rec/s from one worker",
      "ProducerPerformance's fastest 110,000 rec/s",
      "1.14×",
      "≥ 1.00×",
      "✔",
      "",
    ]);
  });

  it("says the generator could be the limit when it makes records slower than Kafka's tool sends them", () => {
    const row = benchRows(producer(12.5, [100_000, 110_000, 120_000])).at(-1);
    expect(row?.slice(1, 6)).toEqual([
      "12.50 µs/event: 80,000 rec/s from one worker",
      "ProducerPerformance's fastest 110,000 rec/s",
      "0.73×",
      "≥ 1.00×",
      "✘",
    ]);
  });
});

describe("benchNotes", () => {
  it("spells out what an inexact run got wrong", () => {
    expect(benchNotes(figures)).toContain("NOT EXACT: librdkafka, 6p × 3c: 1 gaps between ranges");
  });
});

describe("busyMachineNote", () => {
  it("stays quiet while the load fits the cores", () => {
    expect(busyMachineNote(1.2, 1.9, 2)).toBeUndefined();
  });

  it("warns when the load at either end exceeded the cores", () => {
    expect(busyMachineNote(1.5, 4.9, 2)).toMatch(/load 1\.5 at start, 4\.9 at end, on 2 cores/);
  });
});

describe("benchRows for the lab's own overhead and memory", () => {
  const overhead = (
    offPerSec: number[],
    onPerSec: number[],
    cpu = { offMicrosPerEvent: [10, 11, 9], onMicrosPerEvent: [10.4, 10.2, 10.3], overhead: 0.03 },
  ): BenchFigures["overhead"] => {
    const [off, on] = summarise(
      new Map([
        ["observers off", offPerSec],
        ["observers on", onPerSec],
      ]),
      "observers off",
    ) as [Contender, Contender];
    return {
      events: 1_000,
      partitions: 6,
      client: "librdkafka",
      off,
      on,
      overhead: 1 - on.ratio,
      cpu,
      observerMicrosPerEvent: 0.2,
      aim: 0.05,
    };
  };

  it("gives observed against unobserved with the overhead, and judges the 5 % aim", () => {
    const [met] = benchRows({ overhead: overhead([100, 104, 98], [97, 99, 95]) });
    expect(met?.slice(0, 6)).toEqual([
      "lab overhead, driver on librdkafka, 6 partitions",
      "97 ev/s observed (95–99)",
      "unobserved 100 ev/s (98–104)",
      "0.97× (3.0 % overhead)",
      "< 5.0 %",
      "✔",
    ]);
    const [missed] = benchRows({ overhead: overhead([100, 100, 100], [90, 90, 90]) });
    expect(missed?.slice(3, 6)).toEqual(["0.90× (10.0 % overhead)", "< 5.0 %", "✘"]);
  });

  it("gives the CPU time per event observed against unobserved beside the rates, judged by the same aim", () => {
    const [, met] = benchRows({ overhead: overhead([100], [97]) });
    expect(met?.slice(0, 6)).toEqual([
      "lab overhead in CPU time per event, same rounds",
      "10.30 µs/event observed (10.20–10.40)",
      "unobserved 10.00 µs/event (9.00–11.00)",
      "1.03× (3.0 % more)",
      "< 5.0 %",
      "✔",
    ]);
    const cpu = { offMicrosPerEvent: [10], onMicrosPerEvent: [12], overhead: 0.2 };
    const [, missed] = benchRows({ overhead: overhead([100], [99], cpu) });
    expect(missed?.slice(3, 6)).toEqual(["1.20× (20.0 % more)", "< 5.0 %", "✘"]);
  });

  it("gives the observer's own work per event as a share of the driver's CPU per event unobserved", () => {
    const figures = overhead([100], [97]);
    const row = (observerMicrosPerEvent: number) =>
      benchRows({ overhead: figures && { ...figures, observerMicrosPerEvent } })[2];
    expect(row(0.2)?.slice(0, 6)).toEqual([
      "observer's work per event, timed alone (no Kafka)",
      "0.20 µs/event",
      "driver's CPU unobserved 10.00 µs/event",
      "2.0 % of it",
      "< 5.0 %",
      "✔",
    ]);
    expect(row(0.8)?.slice(3, 6)).toEqual(["8.0 % of it", "< 5.0 %", "✘"]);
  });

  it("gives bytes kept per event against each aim", () => {
    const rows = benchRows({
      labMemory: {
        run: { events: 300_000, heapKeptBytesPerEvent: 4.2, rssGrowthBytesPerEvent: 1 },
        aimRunBytesPerEvent: 3,
        scheduledSendLoopBytesPerEvent: 0.5,
        scheduledRatePerSec: 5_000,
        scheduledDurationMs: 8_000,
        aimScheduledBytesPerEvent: 10,
      },
    });
    expect(rows.map((r) => [r[1], r[4], r[5]])).toEqual([
      ["4.2 B/event", "< 3 B", "✘"],
      ["0.5 B/event", "< 10 B", "✔"],
    ]);
  });
});
