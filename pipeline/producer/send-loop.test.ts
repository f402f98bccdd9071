import type { PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { createLoginGenerator } from "../events/generator.ts";
import type { OutgoingRecord, PartitionDelivery } from "../kafka/record-producer.ts";
import { type AckedBatch, recordOffset } from "./acks.ts";
import { constantRate, type SendSchedule } from "./schedule.ts";
import { type RecordSender, runSendLoop } from "./send-loop.ts";

const START_MS = 1_700_000_000_000;

/**
 * Virtual time as a queue of timers: `run` lets the code under test settle, then jumps to the next timer
 * and fires it, until the run ends. Sleeps and broker answers are timers, so a slow broker costs nothing.
 */
function virtualTime() {
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  let seq = 0;
  const time = {
    t: START_MS,
    at(when: number, fire: () => void) {
      timers.push({ at: when, seq: seq++, fire });
    },
    clock: {
      now: () => time.t,
      sleep: (ms: number) => new Promise<void>((resolve) => time.at(time.t + Math.max(ms, 0), resolve)),
    },
    async run<T>(running: Promise<T>): Promise<T> {
      let done = false;
      running.then(
        () => (done = true),
        () => (done = true),
      );
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (done) return running;
        timers.sort((x, y) => x.at - y.at || x.seq - y.seq);
        const next = timers.shift();
        if (!next) throw new Error("the run is waiting for something that never comes");
        time.t = Math.max(time.t, next.at);
        next.fire();
      }
    },
  };
  return time;
}

interface FakeCall {
  messages: OutgoingRecord[];
  sentAtMs: number;
}

/** A broker stand-in that answers after `latencyMs` of virtual time and numbers records per partition. */
function fakeSender(
  time: ReturnType<typeof virtualTime>,
  options: { partitions?: number; latencyMs?: number; failCalls?: number[] } = {},
) {
  const logs = new Map<number, Buffer[]>();
  const calls: FakeCall[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  const partitions: PartitionMetadata[] = Array.from(
    { length: options.partitions ?? 3 },
    (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }),
  );
  const sender: RecordSender = {
    topic: "t",
    partitions,
    send: (messages) => {
      const callNumber = calls.push({ messages, sentAtMs: time.t }) - 1;
      const answers = new Map<number, PartitionDelivery>();
      const fails = options.failCalls?.includes(callNumber) ?? false;
      for (const m of messages) {
        const partition = m.partition;
        const log = logs.get(partition) ?? [];
        logs.set(partition, log);
        const answer = answers.get(partition)?.segments[0];
        if (answer) answer.count += 1;
        else answers.set(partition, { partition, segments: [{ count: 1, baseOffset: String(log.length) }] });
        if (!fails) log.push(m.value);
      }
      maxOutstanding = Math.max(maxOutstanding, ++outstanding);
      return new Promise((resolve, reject) =>
        time.at(time.t + (options.latencyMs ?? 1), () => {
          outstanding--;
          if (fails) reject(new Error("request timed out"));
          else resolve([...answers.values()]);
        }),
      );
    },
  };
  return { sender, logs, calls, maxOutstanding: () => maxOutstanding };
}

describe("runSendLoop", () => {
  it("sends each event once, stamped with its due time, and every ack points at its bytes", async () => {
    const time = virtualTime();
    const clock = time.clock;
    const { sender, logs, calls } = fakeSender(time);
    const acks: AckedBatch[] = [];
    const summary = await time.run(
      runSendLoop(
        {
          schedule: constantRate(1000),
          stopAfter: { count: 500 },
          seed: 7,
          malformed: 0.1,
          clock,
          onAck: (a) => acks.push(a),
        },
        sender,
      ),
    );
    expect(summary).toMatchObject({ sent: 500, acked: 500, failed: 0, unsent: 0, maxSendDelayMs: 0 });
    const records = acks.flatMap((a) =>
      a.records.map((r, i) => ({ ...r, partition: a.partition, offset: recordOffset(a, i) })),
    );
    expect(records.map((r) => r.index).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
    for (const r of records) expect(r.dueTimeMs).toBe(START_MS + r.index);

    // The same seed and due times remake each record: what the ack points at is what was made.
    const byIndex = [...records].sort((a, b) => a.index - b.index);
    let due = 0;
    const again = createLoginGenerator({ seed: 7, malformed: 0.1, clock: { now: () => due } });
    for (const r of byIndex) {
      due = r.dueTimeMs;
      const made = again.next();
      expect(logs.get(r.partition)?.[Number(r.offset)]?.equals(made.value)).toBe(true);
      expect(r.kind).toBe(made.kind);
    }
    expect(calls.every((c) => c.messages.every((m) => m.timestampMs === c.sentAtMs))).toBe(true);
  });

  it("lets due events wait behind a slow broker, without dropping or re-timing them", async () => {
    const time = virtualTime();
    const clock = time.clock;
    const { sender, calls, maxOutstanding } = fakeSender(time, { latencyMs: 50 });
    const acks: AckedBatch[] = [];
    const summary = await time.run(
      runSendLoop(
        {
          schedule: constantRate(1000),
          stopAfter: { count: 400 },
          seed: 1,
          clock,
          maxInFlight: 2,
          onAck: (a) => acks.push(a),
        },
        sender,
      ),
    );
    expect(summary).toMatchObject({ sent: 400, acked: 400, failed: 0, unsent: 0 });
    expect(maxOutstanding()).toBe(2);
    // At 1000/s behind a 50 ms broker with two sends outstanding, events wait about 25 ms or more.
    expect(summary.maxSendDelayMs).toBeGreaterThanOrEqual(25);
    expect(Math.max(...calls.map((c) => c.messages.length))).toBeGreaterThan(1);
    for (const r of acks.flatMap((a) => a.records)) {
      expect(r.dueTimeMs).toBe(START_MS + r.index);
      expect(r.sentAtMs - r.dueTimeMs).toBeLessThanOrEqual(summary.maxSendDelayMs);
    }
  });

  it("bounds the records outstanding as well as the calls, for clients whose calls are cheap", async () => {
    const time = virtualTime();
    const { sender, maxOutstanding } = fakeSender(time, { latencyMs: 50 });
    const summary = await time.run(
      runSendLoop(
        {
          schedule: constantRate(1000),
          stopAfter: { count: 300 },
          seed: 1,
          clock: time.clock,
          maxBatch: 1,
          maxInFlight: 1_000,
          maxOutstanding: 10,
        },
        sender,
      ),
    );
    expect(summary).toMatchObject({ sent: 300, acked: 300, failed: 0 });
    expect(maxOutstanding()).toBe(10);
  });

  it("counts a failed send as failed, reports it, and never sends its records again", async () => {
    const time = virtualTime();
    const clock = time.clock;
    const { sender, calls } = fakeSender(time, { failCalls: [1] });
    const failures: { error: Error; records: number }[] = [];
    const summary = await time.run(
      runSendLoop(
        {
          schedule: constantRate(100),
          stopAfter: { count: 50 },
          seed: 2,
          clock,
          onSendError: (f) => failures.push(f),
        },
        sender,
      ),
    );
    const failedRecords = calls[1]?.messages.length ?? 0;
    expect(failures).toEqual([{ error: new Error("request timed out"), records: failedRecords }]);
    expect(summary).toMatchObject({ sent: 50, acked: 50 - failedRecords, failed: failedRecords });
    const values = calls.flatMap((c) => c.messages.map((m) => m.value.toString("hex")));
    expect(new Set(values).size).toBe(50);
  });

  it("keeps each send under the byte budget, a record bigger than it going out alone", async () => {
    const time = virtualTime();
    const clock = time.clock;
    const { sender, calls } = fakeSender(time);
    const summary = await time.run(
      runSendLoop(
        {
          schedule: "max",
          stopAfter: { count: 60 },
          seed: 3,
          malformed: 0.3,
          malformedKinds: ["near_kafka_limit", "too_large"],
          clock,
          maxBatchBytes: 1_000_000,
        },
        sender,
      ),
    );
    expect(summary.sent).toBe(60);
    expect(calls.some((c) => c.messages.length > 1)).toBe(true);
    for (const call of calls.filter((c) => c.messages.length > 1)) {
      expect(call.messages.reduce((n, m) => n + m.value.length, 0)).toBeLessThanOrEqual(1_000_000);
    }
    expect(calls.flatMap((c) => c.messages).filter((m) => m.value.length >= 900_000).length).toBeGreaterThan(
      0,
    );
  });

  it("sends rate × duration events and stops, or stops early when aborted", async () => {
    const time = virtualTime();
    const { clock } = time;
    const { sender } = fakeSender(time);
    const timed = await time.run(
      runSendLoop({ schedule: constantRate(200), stopAfter: { durationMs: 2000 }, seed: 4, clock }, sender),
    );
    expect(timed).toMatchObject({ sent: 400, acked: 400, unsent: 0 });
    expect(timed.achievedPerSec).toBeCloseTo(200, -1);

    const controller = new AbortController();
    time.at(time.t + 500, () => controller.abort());
    const aborted = await time.run(
      runSendLoop(
        {
          schedule: constantRate(200),
          stopAfter: { durationMs: 60_000 },
          seed: 4,
          clock,
          signal: controller.signal,
        },
        sender,
      ),
    );
    expect(aborted.sent).toBeGreaterThanOrEqual(100);
    expect(aborted.sent).toBeLessThanOrEqual(101);
    expect(aborted.acked).toBe(aborted.sent);
  });

  it("follows a schedule that grows while it runs, as the lab's max-rate search does", async () => {
    const time = virtualTime();
    const { sender } = fakeSender(time);
    // 100/s for the first second; what comes after is decided half-way through it: 250/s.
    let later = 100;
    const growing: SendSchedule = {
      dueTime: (i) => (i < 100 ? i * 10 : 1_000 + ((i - 100) * 1_000) / later),
      dueCount: (ms) =>
        ms < 1_000 ? Math.floor(ms / 10) + 1 : 100 + Math.floor(((ms - 1_000) * later) / 1_000) + 1,
    };
    time.at(time.t + 500, () => {
      later = 250;
    });
    const summary = await time.run(
      runSendLoop(
        { schedule: growing, stopAfter: { durationMs: 2_000 }, seed: 5, clock: time.clock },
        sender,
      ),
    );
    expect(summary).toMatchObject({ sent: 350, acked: 350 });
  });

  it("rejects options that make no sense, naming each", async () => {
    const { sender } = fakeSender(virtualTime());
    await expect(
      runSendLoop({ schedule: "max", stopAfter: {}, seed: 1, maxBatch: 0 }, sender),
    ).rejects.toThrow(
      "Invalid producer options: maxBatch must be a whole number of at least 1, got 0; the run would never end",
    );
  });
});
