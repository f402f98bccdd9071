import type { ProducerRun } from "../../pipeline/producer/producer.ts";
import { type FaultSchedule, faultTimes, scheduleFaults } from "../faults/faults.ts";
import type { FleetRun } from "../load/driver-fleet.ts";
import type { ExternalDriverRun } from "../load/external-driver.ts";
import { EXTERNAL_NOT_MEASURED } from "../load/external-load.ts";
import { Liveness } from "../observe/liveness.ts";
import { Observer } from "../observe/observer.ts";
import type { Sample } from "../observe/sample.ts";
import { sampleUntilUrpZero, urpSettleDeadline } from "../observe/urp-settle.ts";
import type { RunContext } from "./context.ts";
import { SearchStepper } from "./search-stepper.ts";
import { describeLoadStart, type ReadyDriver } from "./start-phases.ts";

const TICK_MS = 1_000;
/** After Ctrl-C the pipeline drains for at most this long (or the scenario's own bound, if shorter). */
const INTERRUPTED_DRAIN_MS = 15_000;

type DriverRun = ProducerRun | FleetRun | ExternalDriverRun;

/** The load under way: its clock, what samples it, and what the driver and the faults will answer. */
export interface Loading {
  loadStartMs: number;
  liveness: Liveness;
  searchSteps: SearchStepper;
  faultSchedule: FaultSchedule;
  /** Settles when the driver is done; awaited by the drain. */
  producerSummary: Promise<DriverRun>;
  /** When Ctrl-C ended the load, from its start; undefined while it has not. */
  interruptedAtMs: () => number | undefined;
  /**
   * Takes one sample. The observer turns every failure it expects (a broker down, a call timed out) into a
   * gap with its reason; anything else still costs only that second, and is recorded as a gap too.
   */
  sample: () => Promise<Sample | undefined>;
}

/** What the load and the drain came to. */
export interface Drained {
  summary: DriverRun;
  loadEndMs: number;
  /** From the end of the load until the group had committed everything; null when it did not within the bound. */
  drainMs: number | null;
}

/** Phase 4: the clock starts, the driver runs the schedule and the faults fire on it, sampled every second. */
export async function loadWithFaults(run: RunContext, driver: ReadyDriver): Promise<Loading> {
  const { clock, log, scenario, timeline } = run;
  log(describeLoadStart(run, driver.client));
  const loadStartMs = clock.now();
  timeline.recordPhase("load", loadStartMs);
  const liveness = watchLiveness(run);
  const sample = sampler(run, loadStartMs);
  const interruptedAtMs = watchInterrupt(run, loadStartMs);
  let producerDone = false;
  const producerSummary = driver.run().finally(() => {
    producerDone = true;
  });
  // Awaited after the tick that sees it done; until then a failure (a driver process died) is not unhandled.
  producerSummary.catch(() => {});
  const record = (fault: Parameters<typeof timeline.recordFault>[0]) => timeline.recordFault(fault);
  const faultSchedule = scheduleFaults(scenario, run.stack, run.fleet, loadStartMs, clock, record, log);
  const searchSteps = new SearchStepper(
    run.search,
    scenario,
    () => run.stopLoad.abort(),
    log,
    () => run.delivery.startPhase(),
  );
  let warnedBehind = false;
  while (!producerDone) {
    await clock.sleep(TICK_MS - ((clock.now() - loadStartMs) % TICK_MS));
    const second = await sample();
    if (!second) continue;
    searchSteps.afterTick(second);
    if (!warnedBehind && second.generatorBehind) {
      warnedBehind = true;
      log(
        "warning: the load generator fell behind its schedule (send delay p99 over 1 s): the machine, not only the pipeline, may be the limit",
      );
    }
  }
  return { loadStartMs, liveness, searchSteps, faultSchedule, producerSummary, interruptedAtMs, sample };
}

/** The stall check, fed each sample's per-partition lag from the timeline. */
function watchLiveness(run: RunContext): Liveness {
  const { scenario, timeline } = run;
  const liveness = new Liveness({
    topic: run.topics.input,
    windowMs: scenario.windowMs,
    faults: timeline.faults,
    plannedFaultsMs: faultTimes(scenario.faults, scenario.seed),
    indexOfPid: (pid) => run.fleet.indexOfPid(pid),
    log: run.log,
  });
  timeline.subscribe((event) => {
    if (event.kind === "sample") liveness.onPartitions(event.sample.elapsedMs, event.sample.partitions);
  });
  return liveness;
}

/** The run's observer on the load's clock; a sample that fails as a whole is a gap in every figure. */
function sampler(run: RunContext, loadStartMs: number): Loading["sample"] {
  const { clock, scenario, timeline, options, fleet } = run;
  const observer = new Observer({
    clock,
    loadStartMs,
    inputStart: run.start.input,
    windowMs: scenario.windowMs,
    probe: run.probe,
    recordTimestamps: run.recordTimestamps,
    prometheus: run.prometheus,
    labMetrics: run.labMetrics,
    delivery: run.delivery,
    timeline,
    targetRateAt: (elapsedMs) => (elapsedMs < scenario.durationMs ? run.curve.rateAt(elapsedMs) : 0),
    memoryTargets: () =>
      fleet.metricsAddresses.flatMap((address, index) =>
        address ? [{ name: `consumer-${index}`, address }] : [],
      ),
    ...(options.driverCommand ? { notMeasured: EXTERNAL_NOT_MEASURED } : {}),
  });
  let failures = 0;
  return async () => {
    try {
      return await observer.tick();
    } catch (error) {
      const reason = (error as Error).message;
      timeline.recordGap("every figure", Math.round((clock.now() - loadStartMs) / 100) / 10, reason);
      if (failures++ === 0) run.log(`a sample failed (${reason}); the run goes on`);
      return undefined;
    }
  };
}

/**
 * Ctrl-C ends the run the way k6 does: the load stops, the pipeline drains for a bounded time, and
 * everything measured so far is verified and reported with the verdict `interrupted`.
 */
function watchInterrupt(run: RunContext, loadStartMs: number): () => number | undefined {
  const { clock, scenario, options } = run;
  let interruptedAtMs: number | undefined;
  const interrupt = () => {
    interruptedAtMs = clock.now() - loadStartMs;
    run.stopLoad.abort();
    run.log(
      `interrupted at ${(interruptedAtMs / 1000).toFixed(1)} s: stopping the load, draining for at most ${Math.min(scenario.drainTimeoutMs, INTERRUPTED_DRAIN_MS) / 1000} s, then verifying and writing the reports (Ctrl-C again stops at once)`,
    );
  };
  if (options.signal?.aborted) interrupt();
  else options.signal?.addEventListener("abort", interrupt, { once: true });
  return () => interruptedAtMs;
}

/** Phase 5: the faults finished, then the group given the scenario's bound to commit everything. */
export async function drain(run: RunContext, loading: Loading): Promise<Drained> {
  const { clock, log, scenario } = run;
  run.timeline.recordPhase("drain", clock.now());
  await finishFaults(run, loading);
  const summary = await loading.producerSummary;
  const loadEndMs = clock.now();
  let drainMs: number | null = null;
  // Ctrl-C during the drain shortens it too.
  const bound = () =>
    loading.interruptedAtMs() === undefined
      ? scenario.drainTimeoutMs
      : Math.min(scenario.drainTimeoutMs, INTERRUPTED_DRAIN_MS);
  while (clock.now() - loadEndMs < bound()) {
    await clock.sleep(TICK_MS);
    const sample = await loading.sample();
    if (sample?.lagOffsets === 0) {
      drainMs = clock.now() - loadEndMs;
      break;
    }
  }
  log(
    drainMs === null
      ? `lag did not reach zero within ${bound() / 1000} s of the load ending`
      : `drained in ${(drainMs / 1000).toFixed(1)} s`,
  );
  return { summary, loadEndMs, drainMs };
}

/** A fault may outlast the load (a rolling restart waits for every partition in sync): sample meanwhile. */
async function finishFaults(run: RunContext, loading: Loading): Promise<void> {
  let faultsDone = false;
  const faultsFinished = loading.faultSchedule.finish().finally(() => {
    faultsDone = true;
  });
  while (!faultsDone) {
    await Promise.race([faultsFinished, run.clock.sleep(TICK_MS)]);
    if (!faultsDone) await loading.sample();
  }
}

/** Phase 6: after a broker fault, sampling goes on until its under-replicated partitions are back to 0. */
export async function settle(run: RunContext, loading: Loading): Promise<void> {
  const { clock, scenario, timeline } = run;
  timeline.recordPhase("settle", clock.now());
  const deadline = urpSettleDeadline(
    timeline.faults,
    scenario.thresholds.urpZeroWithinMs,
    loading.loadStartMs,
  );
  if (deadline === undefined || loading.interruptedAtMs() !== undefined) return;
  await sampleUntilUrpZero(
    () => timeline.series.underReplicatedPartitions,
    loading.sample,
    deadline,
    clock,
    (now) => run.log(`waiting for under-replicated partitions to reach 0 (${now ?? "not measured"} now)…`),
  );
}
