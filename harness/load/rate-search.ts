import { formatMs, formatPercent, formatRate } from "../report/format.ts";
import type { RunResult } from "../result/types.ts";
import type { SearchLoad } from "../scenario/types.ts";
import { RateCurve } from "./curve.ts";

/** When a step counts as sustained. */
export interface SearchCriteria {
  /** Achieved ÷ target rate at or above which the driver kept up. */
  minAchievedShare: number;
  /** Send delay p99 above which the driver (or the broker behind it) fell behind its schedule. */
  maxSendDelayP99Ms: number;
}

export const DEFAULT_SEARCH_CRITERIA: SearchCriteria = { minAchievedShare: 0.95, maxSendDelayP99Ms: 1_000 };

/** What the run saw over one step, reported when the step ends. */
export interface StepObservation {
  /** Milliseconds from the start of the load; the next step starts here. */
  atMs: number;
  /** Achieved events/s over the step. */
  ratePerSec: number;
  /** Whether consumer lag grew across the step (the pipeline did not keep up). */
  lagGrowing: boolean;
  sendDelayP99Ms: number;
}

export type SearchState =
  | { phase: "searching"; ratePerSec: number; stepIndex: number; stepStartedAtMs: number }
  | { phase: "holding"; ratePerSec: number; foundRatePerSec: number; startedAtMs: number; endsAtMs: number }
  | { phase: "done"; foundRatePerSec: number };

export type RateSearchResult = NonNullable<RunResult["rateSearch"]>;

/** Rates below this are not worth searching further down to. */
const MIN_RATE = 1;
/** The search stops bisecting once the first failing rate is within this share above the best sustained one. */
export const BISECT_TOLERANCE = 0.05;

/**
 * The max-rate search as a state machine. It starts at `startRate` and multiplies by `factor` after each
 * sustained step, up to `maxRate`; if the very first step fails, it divides by `factor` until a step is
 * sustained. Once it has both a sustained and a failing rate it bisects between the highest sustained and
 * the lowest failing one until they are within 5 % (as OpenMessaging Benchmark does), so the answer is not
 * a point of the ×factor grid. Then it holds `holdShare` × the highest sustained rate for `holdMs`. `curve` grows with every decision, so an ArrivalSchedule built
 * on it follows the search.
 */
export class RateSearch {
  readonly curve = new RateCurve();
  private state: SearchState;
  private readonly steps: RateSearchResult["steps"] = [];
  private best: number | undefined;
  private lowestFailing: number | undefined;
  private readonly hold = { seconds: 0, rateSum: 0 };

  /** `budgetMs` bounds search and hold together: no step starts that would push the hold past it. */
  constructor(
    private readonly load: SearchLoad,
    private readonly budgetMs = Infinity,
    private readonly criteria: SearchCriteria = DEFAULT_SEARCH_CRITERIA,
  ) {
    this.state = this.startStep(0, load.startRate, 0);
  }

  current(): SearchState {
    return this.state;
  }

  /** Ends the current step with what was seen during it and decides the next one. Ignored once holding. */
  observe(observation: StepObservation): SearchState {
    if (this.state.phase !== "searching") return this.state;
    const target = this.state.ratePerSec;
    const failures = this.failures(target, observation);
    const sustained = failures.length === 0;
    const step = { ratePerSec: target, sustained, reason: sustained ? "sustained" : failures.join("; ") };
    this.steps.push(step);
    if (sustained) this.best = Math.max(this.best ?? 0, target);
    else this.lowestFailing = Math.min(this.lowestFailing ?? Infinity, target);

    let next: number;
    if (this.best !== undefined && this.lowestFailing !== undefined) {
      const [low, high] = [this.best, this.lowestFailing];
      if (high - low <= BISECT_TOLERANCE * low) return this.conclude(low, observation.atMs);
      next = Math.round((low + high) / 2);
      if (next <= low || next >= high) return this.conclude(low, observation.atMs);
    } else if (sustained) {
      if (target >= this.load.maxRate)
        return this.conclude(target, observation.atMs, "reached the maximum rate");
      next = Math.min(Math.round(target * this.load.factor), this.load.maxRate);
    } else {
      next = Math.floor(target / this.load.factor);
      if (next < MIN_RATE)
        return this.conclude(0, observation.atMs, `no rate down to ${formatRate(MIN_RATE)} was sustained`);
    }
    if (observation.atMs + this.load.stepMs + this.load.holdMs > this.budgetMs) {
      return this.conclude(this.best ?? 0, observation.atMs, "no time left in the run for another step");
    }
    this.state = this.startStep(observation.atMs, next, this.state.stepIndex + 1);
    return this.state;
  }

  /** The achieved rate of one second of the hold. Ignored unless holding. */
  observeHoldSecond(achievedPerSec: number): void {
    if (this.state.phase !== "holding") return;
    this.hold.seconds += 1;
    this.hold.rateSum += achievedPerSec;
  }

  /** The step judged last, with its verdict; undefined before the first. */
  lastStep(): RateSearchResult["steps"][number] | undefined {
    const last = this.steps.at(-1);
    return last ? { ...last } : undefined;
  }

  /** The search's outcome for the run result; undefined while still searching. */
  result(): RateSearchResult | undefined {
    if (this.state.phase === "searching") return undefined;
    const held = this.state.phase === "holding" ? this.state.ratePerSec : 0;
    const { seconds, rateSum } = this.hold;
    return {
      foundRatePerSec: this.state.foundRatePerSec,
      heldRatePerSec: held,
      steps: this.steps.map((s) => ({ ...s })),
      ...(seconds > 0 ? { hold: { targetPerSec: held, achievedPerSec: rateSum / seconds, seconds } } : {}),
    };
  }

  private failures(target: number, seen: StepObservation): string[] {
    const failures: string[] = [];
    const share = target > 0 ? seen.ratePerSec / target : 1;
    if (share < this.criteria.minAchievedShare) {
      failures.push(`achieved ${formatRate(seen.ratePerSec)} (${formatPercent(share)} of the target)`);
    }
    if (seen.lagGrowing) failures.push("consumer lag kept growing");
    if (seen.sendDelayP99Ms > this.criteria.maxSendDelayP99Ms) {
      failures.push(
        `send delay p99 ${formatMs(seen.sendDelayP99Ms)} over ${formatMs(this.criteria.maxSendDelayP99Ms)}`,
      );
    }
    return failures;
  }

  private startStep(atMs: number, ratePerSec: number, stepIndex: number): SearchState {
    this.curve.extend({ startMs: atMs, endMs: Infinity, fromRate: ratePerSec, toRate: ratePerSec });
    return { phase: "searching", ratePerSec, stepIndex, stepStartedAtMs: atMs };
  }

  private conclude(found: number, atMs: number, note?: string): SearchState {
    const last = this.steps.at(-1);
    if (note && last) last.reason = `${last.reason}; ${note}`;
    const held = found > 0 ? Math.max(MIN_RATE, Math.floor(found * this.load.holdShare)) : 0;
    if (held === 0) {
      this.curve.extend({ startMs: atMs, endMs: Infinity, fromRate: 0, toRate: 0 });
      this.state = { phase: "done", foundRatePerSec: found };
    } else {
      const endsAtMs = atMs + this.load.holdMs;
      this.curve.extend({ startMs: atMs, endMs: endsAtMs, fromRate: held, toRate: held });
      this.state = {
        phase: "holding",
        ratePerSec: held,
        foundRatePerSec: found,
        startedAtMs: atMs,
        endsAtMs,
      };
    }
    return this.state;
  }
}
