import type { Clock } from "../core/clock.ts";
import { CpuMeter, parseCpuSeconds } from "./cpu.ts";
import { type MemoryReading, ownMemory, parseProcessMemory, scrapeMetrics } from "./memory.ts";
import type { Reading } from "./sample.ts";

/** One process's second: its memory (or why not), and the cores it used since its previous reading. */
export interface ProcessReading {
  name: string;
  memory: Reading<MemoryReading>;
  /** Null on a process's first reading, after a restart, or when it could not be read (see `memory`). */
  cores: number | null;
}

/** Each aggregator's /metrics answers within this, so that a second's sample ends within the second. */
const CALL_TIMEOUT_MS = 800;

/** Reads the memory and CPU of the lab's own process and of each aggregator (from its /metrics). */
export class ProcessSampler {
  private readonly cpuMeter = new CpuMeter();

  constructor(
    private readonly options: {
      clock: Clock;
      /** The aggregators' /metrics addresses by name (`consumer-0`). */
      targets: () => { name: string; address: string }[];
      /** Each /metrics call's bound; tests that are not about time give it room on a loaded machine. */
      callTimeoutMs?: number;
    },
  ) {}

  /** With `collectGarbage`, the lab collects first so that its heap reading is what it keeps. */
  async sample(collectGarbage: boolean): Promise<ProcessReading[]> {
    const aggregators = await Promise.all(
      this.options.targets().map(async ({ name, address }) => this.aggregator(name, address)),
    );
    const now = this.options.clock.now();
    const { user, system } = process.cpuUsage();
    const own = {
      name: "lab",
      memory: { ok: true, value: ownMemory(collectGarbage) },
      cpuSeconds: (user + system) / 1e6,
    } as const;
    return [own, ...aggregators].map(({ name, memory, cpuSeconds }) => ({
      name,
      memory,
      cores: cpuSeconds === null ? null : this.cpuMeter.cores(name, cpuSeconds, now),
    }));
  }

  private async aggregator(
    name: string,
    address: string,
  ): Promise<{ name: string; memory: Reading<MemoryReading>; cpuSeconds: number | null }> {
    try {
      const text = await scrapeMetrics(address, this.options.callTimeoutMs ?? CALL_TIMEOUT_MS);
      return {
        name,
        memory: { ok: true, value: parseProcessMemory(text) },
        cpuSeconds: parseCpuSeconds(text),
      };
    } catch (error) {
      return {
        name,
        memory: { ok: false, reason: `${address}: ${(error as Error).message}` },
        cpuSeconds: null,
      };
    }
  }
}
