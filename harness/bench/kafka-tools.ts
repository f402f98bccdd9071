import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "../core/errors.ts";
import { ManagedProcess } from "../infra/local/process.ts";
import type { KafkaDistribution } from "../infra/local/provision.ts";

/** Kafka's own `ProducerPerformance` summary line. */
export interface ProducerPerformanceFigures {
  records: number;
  perSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  p99LatencyMs: number;
}

/** Kafka's own `ConsumerPerformance` figures. */
export interface ConsumerPerformanceFigures {
  messages: number;
  /** Over the whole run, group join included. */
  perSec: number;
  /** Over the fetching time only, group join left out: the raw read ceiling. */
  fetchPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
}

const PRODUCER_SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency.*?, (\d+) ms 99th/;

/** Reads the final summary line; earlier progress lines (every 5 s) have the same shape but no percentiles. */
export function parseProducerPerformance(output: string): ProducerPerformanceFigures {
  const match = PRODUCER_SUMMARY.exec(output);
  if (!match) throw new Error(`no ProducerPerformance summary line in:\n${output.slice(-1_000)}`);
  const [, records, perSec, mbPerSec, avg, p99] = match.map(Number);
  return {
    records: records as number,
    perSec: perSec as number,
    mbPerSec: mbPerSec as number,
    avgLatencyMs: avg as number,
    p99LatencyMs: p99 as number,
  };
}

/** Reads the comma-separated line under the `start.time, end.time, …` header by column name. */
export function parseConsumerPerformance(output: string): ConsumerPerformanceFigures {
  const lines = output.split("\n").map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith("start.time,"));
  const header = lines[headerAt]?.split(",").map((c) => c.trim()) ?? [];
  const values = lines[headerAt + 1]?.split(",").map((c) => c.trim()) ?? [];
  if (headerAt < 0 || values.length !== header.length) {
    throw new Error(`no ConsumerPerformance figures in:\n${output.slice(-1_000)}`);
  }
  const column = (name: string) => {
    const value = Number(values[header.indexOf(name)]);
    if (!Number.isFinite(value))
      throw new Error(`ConsumerPerformance column ${name} is missing or not a number`);
    return value;
  };
  return {
    messages: column("data.consumed.in.nMsg"),
    perSec: column("nMsg.sec"),
    fetchPerSec: column("fetch.nMsg.sec"),
    rebalanceMs: column("rebalance.time.ms"),
    fetchMs: column("fetch.time.ms"),
  };
}

export interface ToolRun {
  dist: KafkaDistribution;
  bootstrapServers: string[];
  topic: string;
  count: number;
  logDir: string;
}

/** What ProducerPerformance sends: random bytes of one size, or lines of a file picked at random. */
export type PerfPayload = { recordSize: number } | { payloadFile: string };

/** `ProducerPerformance` at full speed with acks=all, idempotent, and the producer's defaults otherwise. */
export async function runProducerPerformance(
  run: ToolRun,
  payload: PerfPayload,
): Promise<ProducerPerformanceFigures> {
  const output = await runTool(run, "producer-performance", "org.apache.kafka.tools.ProducerPerformance", [
    "--topic",
    run.topic,
    "--num-records",
    String(run.count),
    ...("recordSize" in payload
      ? ["--record-size", String(payload.recordSize)]
      : ["--payload-file", payload.payloadFile]),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${run.bootstrapServers.join(",")}`,
    "acks=all",
    "enable.idempotence=true",
  ]);
  return parseProducerPerformance(output);
}

/** `ConsumerPerformance` reading `count` messages of the topic from the start, in a group of its own. */
export async function runConsumerPerformance(
  run: ToolRun,
  groupId: string,
): Promise<ConsumerPerformanceFigures> {
  // Named by group: rounds on one topic must not share a log, or every round would read the first one's figures.
  const output = await runTool(
    run,
    `consumer-performance-${groupId}`,
    "org.apache.kafka.tools.ConsumerPerformance",
    [
      "--bootstrap-server",
      run.bootstrapServers.join(","),
      "--topic",
      run.topic,
      "--messages",
      String(run.count),
      "--group",
      groupId,
    ],
  );
  const figures = parseConsumerPerformance(output);
  if (figures.messages < run.count) {
    throw new LabError("KAFKA", `ConsumerPerformance read ${figures.messages} of ${run.count} messages`);
  }
  return figures;
}

const TOOL_TIMEOUT_MS = 300_000;

async function runTool(run: ToolRun, name: string, mainClass: string, args: string[]): Promise<string> {
  mkdirSync(run.logDir, { recursive: true });
  const tool = new ManagedProcess({
    name,
    command: run.dist.javaBin,
    // The heap Kafka's own kafka-producer-perf-test.sh gives these tools.
    args: ["-Xmx512m", "-cp", `${run.dist.libDir}/*`, mainClass, ...args],
    logFile: join(run.logDir, `${name}-${run.topic}.log`),
  });
  tool.start();
  if (!(await tool.waitForExit(TOOL_TIMEOUT_MS))) await tool.terminate(5_000);
  if (tool.exit?.code !== 0) {
    throw new LabError("KAFKA", `${mainClass} failed (${JSON.stringify(tool.exit)}):\n${tool.logTail(15)}`, {
      hint: `read ${tool.spec.logFile}`,
    });
  }
  return tool.logTail(50);
}
