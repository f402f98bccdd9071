import { type Clock, systemClock } from "../core/clock.ts";
import { LabError } from "../core/errors.ts";
import { retryWhile } from "../core/retry.ts";
import type { PrometheusApi } from "./prometheus-api.ts";

const METRIC = "kafka_controller_kafkacontroller_activecontrollercount";

/**
 * The active controller: the one broker whose ActiveControllerCount is 1. This holds for a ZooKeeper-mode
 * controller broker and for the active KRaft controller (in combined mode a broker is also a controller
 * voter), where the Metadata API's controller id is only a random broker.
 */
export function activeControllerFrom(counts: ReadonlyMap<number, number | Error>): number {
  const active: number[] = [];
  const unread: string[] = [];
  for (const [brokerId, count] of counts) {
    if (count instanceof Error) unread.push(`broker ${brokerId}: ${count.message}`);
    else if (count === 1) active.push(brokerId);
  }
  if (active.length === 1) return active[0] as number;
  const why = unread.length > 0 ? ` (not read: ${unread.join("; ")})` : "";
  throw new LabError(
    "KAFKA",
    active.length === 0
      ? `no broker reports itself the active controller${why}`
      : `brokers ${active.join(", ")} each report themselves the active controller${why}`,
  );
}

/** ActiveControllerCount from one JMX exporter page; an Error when the page does not have it. */
export function controllerCountOf(page: string): number | Error {
  const line = page.split("\n").find((l) => l.startsWith(`${METRIC} `) || l.startsWith(`${METRIC}{`));
  return line === undefined
    ? new Error(`no ${METRIC} on its page`)
    : Number(line.slice(line.lastIndexOf(" ") + 1));
}

export interface ReadOptions {
  /** How long one read of an exporter's page may take. */
  boundMs?: number;
  /** How long to keep asking while no broker, or more than one, can be read as the active controller. */
  withinMs?: number;
  clock?: Clock;
}

/**
 * The active controller, asked again every second while the answer passes with time: an election under way,
 * or exporters too slow to answer. In a chaos run at load average 43 all three exporters missed the 10 s
 * bound of a single read, and a controller fault was not applied although the brokers were up.
 */
export async function readActiveController(
  exporters: ReadonlyMap<number, string>,
  prometheus: PrometheusApi | undefined,
  { boundMs = 10_000, withinMs = 60_000, clock = systemClock }: ReadOptions = {},
): Promise<number> {
  return retryWhile(() => readOnce(exporters, prometheus, boundMs), {
    passes: (error) => error instanceof LabError,
    clock,
    untilMs: clock.now() + withinMs,
    pauseMs: 1_000,
  });
}

/**
 * Asks Prometheus, which scrapes every broker each second, for each one's latest ActiveControllerCount
 * (by its `broker_id` label); reading the exporters directly instead, each bounded, when it cannot answer.
 * An exporter walks its MBeans for every read, which on a busy machine can take seconds.
 */
async function readOnce(
  exporters: ReadonlyMap<number, string>,
  prometheus: PrometheusApi | undefined,
  boundMs: number,
): Promise<number> {
  if (prometheus) {
    const samples = await prometheus
      .query(`last_over_time(${METRIC}[15s])`, undefined, 5_000)
      .catch(() => []);
    const counts = new Map<number, number | Error>(
      samples.map((s) => [Number(s.labels.broker_id), s.value] as const),
    );
    if (counts.size === exporters.size) return activeControllerFrom(counts);
  }
  const counts = new Map<number, number | Error>();
  await Promise.all(
    [...exporters].map(async ([brokerId, url]) => {
      counts.set(brokerId, await exporterCount(url, boundMs));
    }),
  );
  return activeControllerFrom(counts);
}

/** One exporter's ActiveControllerCount, or why it could not be read within `boundMs`. */
async function exporterCount(url: string, boundMs: number): Promise<number | Error> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(boundMs) });
    return response.ok ? controllerCountOf(await response.text()) : new Error(`HTTP ${response.status}`);
  } catch (error) {
    if ((error as Error).name === "TimeoutError") return new Error(`no answer within ${boundMs / 1000} s`);
    return error instanceof Error ? error : new Error(String(error));
  }
}
