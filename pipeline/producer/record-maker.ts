import { parentPort, workerData } from "node:worker_threads";
import { createLoginGenerator } from "../events/generator.ts";
import { packChunk } from "./record-chunk.ts";
import type { SourceOptions } from "./record-source.ts";

/** The worker side of workerSource: one generator; records made for the due times asked, sent back packed. */
const options = workerData as SourceOptions;
let dueTimeMs = 0;
const generator = createLoginGenerator({ ...options, clock: { now: () => dueTimeMs } });

parentPort?.on("message", (dueTimes: number[]) => {
  const records = dueTimes.map((predictedMs) => {
    dueTimeMs = predictedMs;
    return generator.next();
  });
  const chunk = packChunk(records);
  parentPort?.postMessage(chunk, [chunk.bytes]);
});
parentPort?.postMessage("ready");
