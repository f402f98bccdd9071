import { type ProducerOptions, type ProducerRun, runProducer } from "../../pipeline/producer/producer.ts";

/** The lab's driver in this process, connected and with its records ready; `run` starts its schedule now. */
export interface ProducerLoad {
  run(): Promise<ProducerRun>;
}

/**
 * Connects the driver and waits until it is about to send its first record, so that the run's clock and
 * the driver's schedule start together. Otherwise the seconds the driver spends connecting (one or two on
 * a busy machine) count against the first step of a rate search as a rate it could not hold. A driver that
 * fails to connect fails here; one whose load is stopped (`options.signal`) before `run` starts at once.
 */
export async function prepareProducerLoad(options: ProducerOptions): Promise<ProducerLoad> {
  let ready = () => {};
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let go = () => {};
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  options.signal?.addEventListener("abort", go, { once: true });
  const running = runProducer({
    ...options,
    beforeStart: async () => {
      ready();
      await started;
    },
  });
  // Seen by the caller of run(), or thrown below when the driver fails before it is ready.
  running.catch(() => {});
  await Promise.race([isReady, running]);
  return {
    run: () => {
      go();
      return running;
    },
  };
}
