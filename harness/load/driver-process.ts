import { setTimeout as sleep } from "node:timers/promises";
import type { AckedBatch } from "../../pipeline/producer/acks.ts";
import { type ProducerOptions, runProducer } from "../../pipeline/producer/producer.ts";
import { ArrivalSchedule } from "./arrival-rate.ts";
import { DriverLedger } from "./driver-ledger.ts";
import type { AckTimes, DriverInit, FromDriver, ToDriver } from "./driver-messages.ts";
import { seedOf, shareCount, shareOf } from "./producer-share.ts";
import { curveOf } from "./profile.ts";

/**
 * One load driver process of several (see driver-fleet.ts): it sends its share of the run's events with
 * its own producer, keeps its own ledger, and hands the ledger to its parent when done.
 */

/** Acks are sent to the parent in bunches at most this often, not one message per batch. */
const ACK_FLUSH_MS = 20;

const send = (message: FromDriver): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(message, undefined, {}, () => resolve());
  });

const messages = new EventTarget();
process.on("message", (message: ToDriver) => {
  messages.dispatchEvent(new MessageEvent(message.type, { data: message }));
});
const next = <T extends ToDriver["type"]>(type: T): Promise<Extract<ToDriver, { type: T }>> =>
  new Promise((resolve) =>
    messages.addEventListener(type, (event) => resolve((event as MessageEvent).data), { once: true }),
  );

const stop = new AbortController();
next("stop").then(() => stop.abort());
// Ctrl-C reaches the whole process group: the parent decides when this process stops, and tells it.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => stop.abort());
// The parent is gone (even SIGKILLed): nobody is left to count what this process sends.
process.on("disconnect", () => process.exit(1));

async function drive(init: DriverInit): Promise<void> {
  const ledger = new DriverLedger(init.slot.index);
  let pending: AckTimes[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    void send({ type: "acks", acks: pending });
    pending = [];
  };
  const flusher = setInterval(flush, ACK_FLUSH_MS);
  const onAck = (ack: AckedBatch) => {
    ledger.add(ack);
    if (!init.forwardAcks) return;
    pending.push({
      partition: ack.partition,
      baseOffset: ack.baseOffset,
      dueTimeMs: Float64Array.from(ack.records, (r) => r.dueTimeMs),
      sentAtMs: Float64Array.from(ack.records, (r) => r.sentAtMs),
    });
  };
  const options: ProducerOptions = {
    client: init.client,
    connection: init.connection,
    topic: init.topic,
    clientId: `login-producer-${init.slot.index}`,
    ...share(init),
    seed: seedOf(init.seed, init.slot),
    malformed: init.malformed,
    ...(init.malformedKinds ? { malformedKinds: init.malformedKinds } : {}),
    signal: stop.signal,
    onAck,
    onSendError: ({ error, records }) => void send({ type: "send-error", records, message: error.message }),
    beforeStart: async () => {
      const starting = next("start");
      await send({ type: "ready" });
      const { atMs } = await starting;
      await sleep(Math.max(0, atMs - Date.now()));
    },
  };
  try {
    const run = await runProducer(options);
    flush();
    await send({ type: "done", run, ledger: ledger.part() });
  } finally {
    clearInterval(flusher);
  }
}

function share(init: DriverInit): Pick<ProducerOptions, "schedule" | "stopAfter"> {
  if (init.load.kind === "max") {
    return { schedule: "max", stopAfter: { count: shareCount(init.load.count, init.slot) } };
  }
  const whole = new ArrivalSchedule(curveOf(init.load.profile, init.load.durationMs), 0);
  return {
    schedule: shareOf({ dueCount: (ms) => whole.dueBefore(ms), dueTime: (i) => whole.dueTime(i) }, init.slot),
    stopAfter: { durationMs: init.load.durationMs },
  };
}

next("init")
  .then(({ init }) => drive(init))
  .then(
    () => process.exit(0),
    async (error: unknown) => {
      await send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
