import { Worker } from "node:worker_threads";
import {
  createLoginGenerator,
  type GeneratedRecord,
  type LoginGeneratorOptions,
} from "../events/generator.ts";
import { type RecordChunk, unpackRecord } from "./record-chunk.ts";

export type SourceOptions = Omit<LoginGeneratorOptions, "clock">;

/**
 * Where the send loop takes its records from, in sequence. Only an event's `timestamp` depends on its due
 * time; everything else is drawn from the seed.
 */
export interface RecordSource {
  /** The next record, stamped with its due time; undefined when it is not made yet (see `ready`). */
  take(dueTimeMs: number): GeneratedRecord | undefined;
  /** Resolves once `take` has something again. */
  ready(): Promise<void>;
  /** Asks for records ahead: `dueTimes` are the predicted due times of the records after those asked for. */
  request?(dueTimes: number[]): void;
  close(): Promise<void>;
}

/** Makes each record on the sending thread when it falls due. */
export function inlineSource(options: SourceOptions): RecordSource {
  let dueTimeMs = 0;
  const generator = createLoginGenerator({ ...options, clock: { now: () => dueTimeMs } });
  return {
    take: (due) => {
      dueTimeMs = due;
      return generator.next();
    },
    ready: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * Makes records ahead on a worker thread, so that faker, JSON and validation do not cap the sending thread.
 * The loop asks for records with their predicted due times; a record taken in another second than predicted
 * (the schedule changed, or "max" crossed a second) is remade here, so its bytes are exactly what the
 * generator would have made at its real due time.
 */
export async function workerSource(options: SourceOptions): Promise<RecordSource> {
  const worker = new Worker(new URL("./record-worker.mjs", import.meta.url), { workerData: options });
  const queue: RecordChunk[] = [];
  let next = 0;
  let waiting: (() => void) | undefined;
  let failure: Error | undefined;
  // Resolved once the worker has loaded, so that a run's first records are not late by its start-up.
  let started: () => void = () => {};
  const startedUp = new Promise<void>((resolve, reject) => {
    started = resolve;
    worker.once("error", reject);
  });
  worker.on("message", (chunk: RecordChunk | "ready") => {
    if (chunk === "ready") return started();
    queue.push(chunk);
    waiting?.();
    waiting = undefined;
  });
  worker.on("error", (error) => {
    failure = error;
    waiting?.();
  });
  await startedUp;
  return {
    take: (due) => {
      if (failure) throw failure;
      const chunk = queue[0];
      if (!chunk) return undefined;
      const record = unpackRecord(chunk, next++, due);
      if (next >= chunk.kinds.length) {
        queue.shift();
        next = 0;
      }
      return record;
    },
    ready: () => (queue.length > 0 || failure ? Promise.resolve() : new Promise((r) => (waiting = r))),
    request: (dueTimes) => worker.postMessage(dueTimes),
    close: async () => {
      await worker.terminate();
    },
  };
}
