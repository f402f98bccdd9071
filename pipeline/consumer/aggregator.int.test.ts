import { describe, expect, inject, it } from "vitest";
import { aggregatorGroup, drained, produceLogins } from "../../harness/testing/aggregator-group.ts";
import { expectExact } from "../../harness/testing/exactness.ts";
import { collect } from "../../harness/verify/collect.ts";
import type { KafkaConnection } from "../kafka/client.ts";
import { CLIENT_NAMES } from "../kafka/record-producer.ts";
import { runProducer } from "../producer/producer.ts";

const shared = inject("stack");
const connection: KafkaConnection = { brokers: shared.bootstrapServers };

describe.each(CLIENT_NAMES)("the aggregator on %s and a real Kafka", (client) => {
  it("counts N events with 2% malformed exactly, and /metrics shows the seed's counters with the same values", async () => {
    const setup = await aggregatorGroup(connection, { client, partitions: 3, windowMs: 2_000 });
    const summary = await runProducer({
      connection,
      topic: setup.topics.input,
      schedule: "max",
      stopAfter: { count: 20_000 },
      seed: 7,
      malformed: 0.02,
    });
    expect(summary.acked).toBe(20_000);
    await setup.fleet.add();
    await drained(setup, 90_000);
    const collected = await collect(connection, setup.topics);
    expect(collected.recount.total).toBe(20_000);
    expect(collected.recount.invalid).toBeGreaterThan(300);
    expectExact(collected);

    const text = await (await fetch(`http://${setup.fleet.metricsAddresses[0]}/metrics`)).text();
    const sample = (name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    const topic = setup.topics.input;
    expect(sample("total_count", `record_type="valid",topic="${topic}"`)).toBe(collected.recount.valid);
    for (const [deviceType, n] of Object.entries(collected.recount.byDeviceType)) {
      expect(sample("device_type_count", `device_type="${deviceType}",topic="${topic}"`)).toBe(n);
    }
    for (const [locale, n] of Object.entries(collected.recount.byLocale)) {
      expect(sample("locale_count", `locale="${locale}",topic="${topic}"`)).toBe(n);
    }
    await setup.fleet.stopAll();
  });

  it("stays exact when the consumer is SIGKILLed mid-window three times and restarted", async () => {
    const setup = await aggregatorGroup(connection, { client, partitions: 3, windowMs: 3_000 });
    const consumer = await setup.fleet.add();
    const load = produceLogins(setup, { rate: 2_000, durationMs: 20_000, seed: 11 });
    for (const delayMs of [3_500, 4_200, 3_100]) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await setup.fleet.kill(consumer);
      await setup.fleet.restart(consumer);
    }
    expect((await load).failed).toBe(0);
    await drained(setup, 90_000);
    await setup.fleet.stopAll();
    expect(setup.fleet.events.filter((e) => e.action === "kill")).toHaveLength(3);
    expectExact(await collect(connection, setup.topics));
  });
});
