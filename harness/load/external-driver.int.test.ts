import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createLoginGenerator, MALFORMED_KINDS } from "../../pipeline/events/generator.ts";
import { ensureKafkaDistribution, type KafkaDistribution } from "../infra/local/provision.ts";
import { failedAssertions, readResult, scenarioCli } from "../testing/scenario-cli.ts";

/**
 * Login events from the pipeline's own generator, one per line: valid ones and every malformed kind that
 * fits a line (no newline byte inside, under the tools' default 1 MB request), 5 % of them malformed.
 */
function writeEventFile(count: number): string {
  const generator = createLoginGenerator({
    seed: 5,
    malformed: 0.05,
    malformedKinds: MALFORMED_KINDS.filter((k) => k !== "too_large" && k !== "near_kafka_limit"),
  });
  const lines: Buffer[] = [];
  while (lines.length < count) {
    const { value } = generator.next();
    if (!value.includes(0x0a)) lines.push(value);
  }
  const file = join(mkdtempSync(join(tmpdir(), "lab-driver-")), "login-events.txt");
  writeFileSync(file, Buffer.concat(lines.flatMap((line) => [line, Buffer.from("\n")])));
  return file;
}

const external = (command: string) => ["--driver", "external", "--driver-command", command];

// Commands of one's own drive smoke's load through --driver external: the lab recounts what they wrote,
// checks the pipeline counted exactly that, and fails a driver that gave up by its exit.
describe.concurrent("bring your own driver", () => {
  let events: string;
  let dist: KafkaDistribution;
  beforeAll(async () => {
    events = writeEventFile(4_000);
    dist = await ensureKafkaDistribution(() => {});
  });

  it("kcat writing a file of generated login events: smoke passes with aggregates = recount", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(
      ["smoke", ...external(`kcat -P -b "$KAFKA_BROKERS" -t "$TOPIC" -l ${events}`)],
      {},
      onTestFinished,
    );
    expect(run.code, run.stderr.slice(-2_000)).toBe(0);
    const result = readResult(run.reportDir);
    expect(result.config).toMatchObject({
      driver: "external",
      driverCommand: expect.stringContaining("kcat"),
    });
    expect(result.config.loadClient).toBeUndefined();
    expect(result.recount.total).toBe(4_000);
    expect(result.recount.invalid).toBeGreaterThan(100);
    expect(result.aggregates.total).toBe(result.recount.valid);
    expect(result.aggregates.dlqRecords).toBe(result.recount.invalid);
    expect(result.ledger).toEqual(result.recount);
    expect(result.assertions.some((a) => a.name.startsWith("ledger"))).toBe(false);
    expect(result.assertions.find((a) => a.name === "load driver exited cleanly")?.pass).toBe(true);
    expect(result.series.gaps?.map((g) => g.what)).toEqual(
      expect.arrayContaining(["events lost before Kafka", "send delay"]),
    );
    expect(result.latency.count).toBeGreaterThan(0);
  }, 300_000);

  it("Kafka's ProducerPerformance with a payload file of generated events: smoke passes", async ({
    onTestFinished,
  }) => {
    const perf = [
      `"${dist.javaBin}" -Xmx256m -cp '${dist.libDir}/*' org.apache.kafka.tools.ProducerPerformance`,
      `--topic "$TOPIC" --num-records "$EVENTS" --payload-file ${events} --throughput $((RATE * 2))`,
      `--producer-props bootstrap.servers="$KAFKA_BROKERS" acks=all`,
    ].join(" ");
    const run = await scenarioCli(["smoke", ...external(perf)], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(0);
    const result = readResult(run.reportDir);
    expect(result.recount.total).toBe(4_000);
    expect(result.aggregates.total).toBe(result.recount.valid);
    expect(result.aggregates.dlqRecords).toBe(result.recount.invalid);
  }, 300_000);

  it("a driver that exits 3 part way: the run fails, naming the driver's exit", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(
      [
        "smoke",
        ...external(`kcat -P -b "$KAFKA_BROKERS" -t "$TOPIC" -l ${events} && echo "giving up" >&2 && exit 3`),
      ],
      {},
      onTestFinished,
    );
    expect(run.code, run.stderr.slice(-2_000)).toBe(1);
    const result = readResult(run.reportDir);
    expect(failedAssertions(result)).toEqual(["load driver exited cleanly"]);
    const exit = result.assertions.find((a) => a.name === "load driver exited cleanly");
    expect(exit?.observed).toBe("exit 3");
    expect(exit?.detail).toContain("giving up");
    expect(run.stderr).toContain("✗ load driver exited cleanly: expected exit 0");
  }, 300_000);

  it("a driver command that does not exist: exit 2 with the error and its fix", async ({
    onTestFinished,
  }) => {
    const run = await scenarioCli(["smoke", ...external("no-such-load-driver --rate 5")], {}, onTestFinished);
    expect(run.code, run.stderr.slice(-2_000)).toBe(2);
    expect(run.stderr).toMatch(/error: the driver command could not start \(exit 127\): no-such-load-driver/);
    expect(run.stderr).toMatch(/\n {2}fix: check that the command is installed/);
  }, 300_000);
});
