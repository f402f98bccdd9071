import { describe, expect, inject, it } from "vitest";
import { type AnalyticsRecord, encodeAnalyticsRecord } from "../../pipeline/consumer/aggregate/record.ts";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";
import { ensureTopics } from "../../pipeline/topics.ts";
import { uniqueName } from "../testing/kafka.ts";
import { collect, type RunTopics } from "./collect.ts";
import { countAssertions } from "./count-assertions.ts";
import { checkDeadLetters, deadLetterAssertion } from "./dead-letters.ts";
import { rangeAssertion } from "./range-assertion.ts";
import { rangeRecountAssertion } from "./range-recount-assertion.ts";
import { readerAssertion } from "./reader-agreement.ts";

const shared = inject("stack");
const connection: KafkaConnection = { brokers: shared.bootstrapServers };

const login = (user: string) =>
  JSON.stringify({
    user_id: user,
    timestamp: 1_694_479_551,
    device_type: "iOS",
    locale: "CA",
    app_version: "2.3.0",
  });

/** Input: partition 0 holds two logins and bad JSON at offset 2; partition 1 a login and an array at offset 1. */
const INPUT = [
  { partition: 0, values: [login("a"), login("b"), "{not json"] },
  { partition: 1, values: [login("c"), "[]"] },
];

function analytics(
  input: string,
  partition: number,
  to: number,
  valid: number,
  reason: string,
): AnalyticsRecord {
  return {
    schema_version: 1,
    window_start: "2023-09-12T00:45:40.000Z",
    window_end: "2023-09-12T00:46:00.000Z",
    total: valid,
    by_device_type: { iOS: valid },
    by_locale: { CA: valid },
    by_app_version: { "2.3.0": valid },
    invalid: 1,
    invalid_by_reason: { [reason]: 1 },
    event_time: { min_sec: 1_694_479_551, max_sec: 1_694_479_551 },
    source: { topic: input, partition, from_offset: "0", to_offset: String(to) },
    aggregator: { instance_id: "test", emitted_at: "2023-09-12T00:46:01.000Z" },
  };
}

/**
 * Writes a run's three topics by hand, as a pipeline would have left them: every input range aggregated
 * (plus `extraCopy`, an identical re-publication of partition 0's range) and the given dead letters.
 */
async function stage(options: {
  extraCopy: boolean;
  /** Partition 0's record counts one login fewer than its range holds, as an aggregator that skipped it. */
  skipOne?: boolean;
  letters: { partition: number; offset: string; reason: string }[];
}) {
  const name = uniqueName("verify");
  const topics: RunTopics = { input: `${name}-in`, output: `${name}-out`, dlq: `${name}-dlq` };
  const kafka = createKafka(connection, `${name}-writer`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: topics.input, partitions: 2, replicationFactor: 1 },
    { topic: topics.output, partitions: 1, replicationFactor: 1 },
    { topic: topics.dlq, partitions: 1, replicationFactor: 1 },
  ]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: topics.input,
      messages: INPUT.flatMap(({ partition, values }) => values.map((value) => ({ partition, value }))),
    });
    const ranges = [
      analytics(topics.input, 0, 2, options.skipOne ? 1 : 2, "not_json"),
      analytics(topics.input, 1, 1, 1, "not_object"),
    ];
    if (options.extraCopy) ranges.push(analytics(topics.input, 0, 2, 2, "not_json"));
    await producer.send({
      topic: topics.output,
      messages: ranges.map((r) => ({ value: encodeAnalyticsRecord(r) })),
    });
    await producer.send({
      topic: topics.dlq,
      messages: options.letters.map((l) => ({
        value: "x",
        headers: {
          "dlq.reason": l.reason,
          "dlq.source.topic": topics.input,
          "dlq.source.partition": String(l.partition),
          "dlq.source.offset": l.offset,
        },
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const collected = await collect(connection, topics, {
    coverage: new Map([
      [0, [0n, 2n]],
      [1, [0n, 1n]],
    ]),
  });
  const aggregates = { ...collected.analytics, dlqRecords: collected.dlq.total };
  const assertions = [
    ...countAssertions(collected.recount, collected.recount, aggregates),
    deadLetterAssertion(checkDeadLetters(collected.invalidInputs, collected.dlq.letters)),
    rangeAssertion(collected.analytics, collected.unreadableAnalytics),
    ...(collected.rangeRecount ? [rangeRecountAssertion(collected.rangeRecount)] : []),
    ...(collected.readers ? [readerAssertion(collected.readers)] : []),
  ];
  return { topics, collected, failed: assertions.filter((a) => !a.pass) };
}

describe("the verifier on real topics", () => {
  it("passes a run whose analytics and dead letters match the input exactly", async () => {
    const { failed } = await stage({
      extraCopy: false,
      letters: [
        { partition: 0, offset: "2", reason: "not_json" },
        { partition: 1, offset: "1", reason: "not_object" },
      ],
    });
    expect(failed).toEqual([]);
  }, 60_000);

  it("fails a re-published range and a dead letter missing or sent twice, each by partition and offset", async () => {
    const { topics, failed } = await stage({
      extraCopy: true,
      letters: [
        { partition: 0, offset: "2", reason: "not_json" },
        { partition: 0, offset: "2", reason: "not_json" },
      ],
    });
    expect(failed.map((a) => a.name)).toEqual([
      "aggregated total = recount valid",
      "aggregated invalid = recount invalid",
      "aggregates by device_type = recount",
      "aggregates by locale = recount",
      "aggregates by app_version = recount",
      "DLQ holds each invalid input record once, with its reason",
      "analytics cover every input offset exactly once",
    ]);
    const detail = (name: string) => failed.find((a) => a.name === name)?.detail;
    expect(detail("aggregated total = recount valid")).toBe("+2 (extra)");
    expect(detail("DLQ holds each invalid input record once, with its reason")).toMatch(
      new RegExp(
        `^duplicated: ${topics.input}/0@2 2 times \\(${topics.dlq}/0@0, ${topics.dlq}/0@1\\); missing: ${topics.input}/1@1 \\(not_object\\)$`,
      ),
    );
    expect(detail("analytics cover every input offset exactly once")).toBe(
      `offsets 0–2 of ${topics.input}/0 published 2 times`,
    );
  }, 60_000);

  it("fails a record that skipped a login of its range by key, while its range tiles the input", async () => {
    const { topics, failed } = await stage({
      extraCopy: false,
      skipOne: true,
      letters: [
        { partition: 0, offset: "2", reason: "not_json" },
        { partition: 1, offset: "1", reason: "not_object" },
      ],
    });
    const perRange = failed.find(
      (a) => a.name === "each analytics record equals the recount of its source range",
    );
    expect(perRange?.detail).toBe(
      `${topics.input}:0:0-2 (offsets 0–2 of ${topics.input}/0, aggregator test): range holds 3 input record(s) at 0–2, ` +
        "record counted 2, so 1 record(s) of its range went uncounted; total recount 2, record 1, " +
        "by_device_type.iOS recount 2, record 1, by_locale.CA recount 2, record 1, by_app_version.2.3.0 recount 2, record 1",
    );
    expect(failed.map((a) => a.name)).not.toContain("analytics cover every input offset exactly once");
  }, 60_000);

  it("reads the analytics with kafkajs and librdkafka alike across aborted and committed transactions", async () => {
    const name = uniqueName("readers");
    const topics: RunTopics = { input: `${name}-in`, output: `${name}-out`, dlq: `${name}-dlq` };
    const kafka = createKafka(connection, `${name}-writer`);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: topics.input, partitions: 1, replicationFactor: 1 },
      { topic: topics.output, partitions: 1, replicationFactor: 1 },
      { topic: topics.dlq, partitions: 1, replicationFactor: 1 },
    ]);
    await admin.disconnect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: topics.input, messages: [{ value: login("a") }, { value: login("b") }] });
    await plain.disconnect();
    const producer = kafka.producer({
      transactionalId: `${name}-txn`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    // Aborted, committed, aborted: the windows a fenced aggregator leaves, with a marker after each.
    const window = (from: number, to: number) => {
      const record = analytics(topics.input, 0, to, to - from + 1, "not_json");
      record.source.from_offset = String(from);
      record.invalid = 0;
      record.invalid_by_reason = {};
      return { key: `${topics.input}:0:${from}-${to}`, value: encodeAnalyticsRecord(record) };
    };
    for (const [range, commit] of [
      [[0, 0], false],
      [[0, 1], true],
      [[0, 1], false],
    ] as const) {
      const txn = await producer.transaction();
      await txn.send({ topic: topics.output, messages: [window(range[0], range[1])] });
      await (commit ? txn.commit() : txn.abort());
    }
    await producer.disconnect();
    const collected = await collect(connection, topics);
    expect(collected.readers).toEqual({
      compared: true,
      readers: ["kafkajs", "librdkafka"],
      agreed: 1,
      disagreements: [],
    });
    expect(collected.rangeRecount?.mismatches).toEqual([]);
  }, 60_000);
});
