import { formatMs, formatPercent, formatRate } from "../core/format.ts";
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

/** What the search does next: a step at a rate, or the end of the search with the rate it found. */
type Decision = { step: number } | { found: number; note?: string };

type Searching = { phase: "searching"; ratePerSec: number; stepIndex: number; stepStartedAtMs: number };
type Done = { phase: "done"; foundRatePerSec: number };
type Holding = {
  phase: "holding";
  ratePerSec: number;
  foundRatePerSec: number;
  startedAtMs: number;
  endsAtMs: number;
};

export type SearchState =
  | Searching
  /**
   * At rate 0 for one step's length after a failing step, so that the driver can send what fell due during
   * it and the aggregators can catch up, and the next step is not judged on a backlog it did not make.
   * `next` follows at `untilMs`, already on the curve.
   */
  | { phase: "recovering"; startedAtMs: number; untilMs: number; next: Searching | Holding }
  | Holding
  | Done;

/** The search's outcome, for the run result. */
export interface RateSearchResult {
  foundRatePerSec: number;
  heldRatePerSec: number;
  steps: { ratePerSec: number; sustained: boolean; reason: string }[];
  /** The hold alone: the run's headline target, achieved rate and send delay describe it. */
  hold?: { targetPerSec: number; achievedPerSec: number; seconds: number };
}

/** Rates below this are not worth searching further down to. */
const MIN_RATE = 1;
/** The search stops bisecting once the first failing rate is within this share above the best sustained one. */
export const BISECT_TOLERANCE = 0.05;

/**
 * The max-rate search as a state machine. It starts at `startRate` and multiplies by `factor` after each
 * sustained step, up to `maxRate`; if the very first step fails, it divides by `factor` until a step is
 * sustained. Once it has both a sustained and a failing rate it bisects between the highest sustained and
 * the lowest failing one until they are within 5 % (as OpenMessaging Benchmark does), so the answer is not
 * a point of the ×factor grid. Then it holds `holdShare` × the highest sustained rate for `holdMs`. After a
 * failing step it recovers at rate 0 before going on: in an open model the events a failing step could not
 * send stay due, and carried into the next step they would fail it too. `curve` grows with every decision,
 * so an ArrivalSchedule built on it follows the search.
 */
export class RateSearch {
  readonly curve = new RateCurve();
  private state: SearchState;
  private readonly steps: RateSearchResult["steps"] = [];
  private best: number | undefined;
  private lowestFailing: number | undefined;
  private readonly hold = { seconds: 0, rateSum: 0 };
  private stepIndex = 0;

  /** `budgetMs` bounds search and hold together: no step starts that would push the hold past it. */
  constructor(
    private readonly load: SearchLoad,
    private readonly budgetMs = Infinity,
    private readonly criteria: SearchCriteria = DEFAULT_SEARCH_CRITERIA,
  ) {
    this.state = this.startStep(0, load.startRate, this.stepIndex);
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

    const decision = this.decide(target, sustained);
    if (sustained) return this.proceed(decision, observation.atMs);
    const untilMs = observation.atMs + this.load.stepMs;
    this.curve.extend({ startMs: observation.atMs, endMs: untilMs, fromRate: 0, toRate: 0 });
    const next = this.proceed(decision, untilMs);
    if (next.phase === "done") return next;
    this.state = { phase: "recovering", startedAtMs: observation.atMs, untilMs, next };
    return this.state;
  }

  /**
   * Ends a recovery, noting on the failing step how it went (caught up, or still behind at its end), and
   * goes on with the step or the hold that follows it. Ignored unless recovering.
   */
  recovered(note: string): SearchState {
    if (this.state.phase !== "recovering") return this.state;
    const last = this.steps.at(-1);
    if (last) last.reason = `${last.reason}; ${note}`;
    this.state = this.state.next;
    return this.state;
  }

  private decide(target: number, sustained: boolean): Decision {
    if (this.best !== undefined && this.lowestFailing !== undefined) {
      const [low, high] = [this.best, this.lowestFailing];
      if (high - low <= BISECT_TOLERANCE * low) return { found: low };
      const next = Math.round((low + high) / 2);
      return next <= low || next >= high ? { found: low } : { step: next };
    }
    if (sustained) {
      if (target >= this.load.maxRate) return { found: target, note: "reached the maximum rate" };
      return { step: Math.min(Math.round(target * this.load.factor), this.load.maxRate) };
    }
    const next = Math.floor(target / this.load.factor);
    if (next < MIN_RATE) return { found: 0, note: `no rate down to ${formatRate(MIN_RATE)} was sustained` };
    return { step: next };
  }

  private proceed(decision: Decision, atMs: number): Searching | Holding | Done {
    if ("found" in decision) return this.conclude(decision.found, atMs, decision.note);
    if (atMs + this.load.stepMs + this.load.holdMs > this.budgetMs) {
      return this.conclude(this.best ?? 0, atMs, "no time left in the run for another step");
    }
    this.stepIndex += 1;
    const next = this.startStep(atMs, decision.step, this.stepIndex);
    this.state = next;
    return next;
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
    // A run can end in the recovery before its hold: the search is over then, the hold not begun.
    const state = this.state.phase === "recovering" ? this.state.next : this.state;
    if (state.phase === "searching") return undefined;
    const held = state.phase === "holding" ? state.ratePerSec : 0;
    const { seconds, rateSum } = this.hold;
    return {
      foundRatePerSec: state.foundRatePerSec,
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

  private holdRate(found: number): number {
    return found > 0 ? Math.max(MIN_RATE, Math.floor(found * this.load.holdShare)) : 0;
  }

  private startStep(atMs: number, ratePerSec: number, stepIndex: number): Searching {
    this.curve.extend({ startMs: atMs, endMs: Infinity, fromRate: ratePerSec, toRate: ratePerSec });
    return { phase: "searching", ratePerSec, stepIndex, stepStartedAtMs: atMs };
  }

  private conclude(found: number, atMs: number, note?: string): Holding | Done {
    const last = this.steps.at(-1);
    if (note && last) last.reason = `${last.reason}; ${note}`;
    const held = this.holdRate(found);
    let next: Holding | Done;
    if (held === 0) {
      this.curve.extend({ startMs: atMs, endMs: Infinity, fromRate: 0, toRate: 0 });
      next = { phase: "done", foundRatePerSec: found };
    } else {
      const endsAtMs = atMs + this.load.holdMs;
      this.curve.extend({ startMs: atMs, endMs: endsAtMs, fromRate: held, toRate: held });
      next = { phase: "holding", ratePerSec: held, foundRatePerSec: found, startedAtMs: atMs, endsAtMs };
    }
    this.state = next;
    return next;
  }
}
