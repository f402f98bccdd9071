import type { RateLimiter } from "./types.ts";

/** `process_cpu_seconds_total` from a /metrics text (prom-client's and the JMX exporter's default metrics). */
export function parseCpuSeconds(metricsText: string): number {
  const line = metricsText
    .split("\n")
    .find((l) => l.startsWith("process_cpu_seconds_total ") || l.startsWith("process_cpu_seconds_total{"));
  const value = line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
  if (!Number.isFinite(value)) throw new Error("/metrics has no process_cpu_seconds_total");
  return value;
}

/**
 * Cores each process used since its previous reading: the growth of its CPU seconds over the wall-clock
 * seconds between two readings. A process's first reading, or one after a restart (its counter went back),
 * gives no figure.
 */
export class CpuMeter {
  private readonly last = new Map<string, { cpuSeconds: number; atMs: number }>();

  cores(name: string, cpuSeconds: number, atMs: number): number | null {
    const previous = this.last.get(name);
    this.last.set(name, { cpuSeconds, atMs });
    if (!previous || atMs <= previous.atMs || cpuSeconds < previous.cpuSeconds) return null;
    return (cpuSeconds - previous.cpuSeconds) / ((atMs - previous.atMs) / 1000);
  }
}

/** The parts of the stack a rate search can be limited by, named by the processes' series keys. */
function partOf(name: string): "driver" | "aggregators" | "brokers" {
  if (name.startsWith("consumer-")) return "aggregators";
  if (name.startsWith("broker-")) return "brokers";
  return "driver";
}

/** A thread busy this share of the time can go no faster. */
const THREAD_BUSY = 0.9;
/** Near every core of the machine used, every part waits for CPU. */
const MACHINE_BUSY = 0.9;

/** What one step of the rate search saw, for `rateLimiter`. */
export interface StepLoad {
  ratePerSec: number;
  /** Why the step failed, as the search wrote it. */
  reason: string;
  /** Mean cores each process used over the step, by series key (`lab`, `consumer-0`, `broker-1`). */
  cpuCores: Record<string, number>;
  /** Share of the step the lab's sending thread was busy (its event-loop utilisation), when measured. */
  driverThreadBusy: number | null;
}

/**
 * What set the limit the rate search found, from the first rate it could not sustain: the symptom (the
 * driver fell behind its schedule, or the consumers' lag kept growing) and the CPU each process used over
 * that step. A part is named when it was out of CPU: the machine's cores all busy (then every part waits;
 * the one using most is named beside it), the driver's sending thread busy, or an aggregator using a whole
 * core (its JavaScript runs on one thread). A broker is never named on CPU alone: it has many threads and
 * waits on disks and the network. Without CPU figures, or with CPU to spare, the limit is `unknown`, with
 * what was seen.
 */
export function rateLimiter(step: StepLoad, machineCores: number): RateLimiter {
  const producing = /achieved|send delay/.test(step.reason);
  const consuming = /lag kept growing/.test(step.reason);
  const symptom = [
    ...(producing ? ["the driver fell behind its schedule"] : []),
    ...(consuming ? ["the consumers' lag kept growing"] : []),
  ].join(" and ");
  const at = `at ${Math.round(step.ratePerSec)}/s ${symptom || step.reason}`;
  const entries = Object.entries(step.cpuCores);
  if (entries.length === 0)
    return { by: "unknown", evidence: `${at}; no process's CPU was measured during that step` };
  const byPart = new Map<string, number>();
  for (const [name, cores] of entries) byPart.set(partOf(name), (byPart.get(partOf(name)) ?? 0) + cores);
  const parts = [...byPart].sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, cores]) => sum + cores, 0);
  const cpu = `cores used: ${parts.map(([part, cores]) => `${part} ${cores.toFixed(2)}`).join(", ")} of ${machineCores}`;
  if (total >= MACHINE_BUSY * machineCores) {
    return {
      by: "machine",
      evidence: `${at}; all ${machineCores} cores were busy (${cpu}), the ${parts[0]?.[0]} using most`,
    };
  }
  if (producing && step.driverThreadBusy !== null && step.driverThreadBusy >= THREAD_BUSY) {
    return {
      by: "driver",
      evidence: `${at}; the driver's sending thread was busy ${Math.round(step.driverThreadBusy * 100)} % of the time (${cpu})`,
    };
  }
  const aggregator = entries
    .filter(([name]) => partOf(name) === "aggregators")
    .sort((a, b) => b[1] - a[1])[0];
  if (consuming && aggregator && aggregator[1] >= THREAD_BUSY) {
    return {
      by: "aggregators",
      evidence: `${at}; ${aggregator[0]} used ${aggregator[1].toFixed(2)} cores, all its thread can (${cpu})`,
    };
  }
  return { by: "unknown", evidence: `${at}; no part was out of CPU (${cpu})` };
}
