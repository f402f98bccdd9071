import { cpus } from "node:os";
import { formatCount, formatMs, formatRate } from "../core/format.ts";
import type { RateSearch, SearchState } from "../load/rate-search.ts";
import { rateLimiter, type StepLoad } from "../observe/cpu.ts";
import type { Snapshot } from "../observe/sample.ts";
import type { RateLimiter } from "../result/types.ts";
import type { Scenario } from "../scenario/types.ts";
import { lagKeptGrowing } from "./step-judge.ts";

/** Feeds the max-rate search what each step showed, and ends the load when its hold is over. */
export class SearchStepper {
  private lagSamples: number[] = [];
  private seconds = 0;
  private acked = 0;
  private sendDelayP99 = 0;
  /** Whether the driver has had a record acknowledged yet: the seconds before, it was still connecting. */
  private driverStarted = false;
  private cpu = new Map<string, { sum: number; seconds: number }>();
  private threadBusy = { sum: 0, seconds: 0 };
  /** When, in a recovery after a failing step, the driver and the aggregators had caught up. */
  private caughtUpAtMs: number | undefined;
  /** What each judged step cost in CPU, by its rate, to say afterwards what set the limit. */
  private readonly stepLoads = new Map<number, StepLoad>();

  constructor(
    private readonly search: RateSearch | undefined,
    private readonly scenario: Scenario,
    private readonly endLoad: () => void,
    private readonly log: (line: string) => void,
    /** Called as the hold begins, so that its send delay is measured apart from the search's. */
    private readonly onHoldStart: () => void = () => {},
  ) {}

  afterTick(snapshot: Snapshot): void {
    const search = this.search;
    if (!search) return;
    const state = search.current();
    if (state.phase === "searching") this.searchingSecond(search, state, snapshot);
    else if (state.phase === "recovering") this.recoveringSecond(search, state, snapshot);
    else if (state.phase === "holding") {
      if (snapshot.elapsedMs >= state.endsAtMs) this.endLoad();
      else search.observeHoldSecond(snapshot.achievedRate);
    }
  }

  /** Adds a second to the step's figures; judges the step once it has lasted `stepMs`. */
  private searchingSecond(
    search: RateSearch,
    state: Extract<SearchState, { phase: "searching" }>,
    snapshot: Snapshot,
  ): void {
    // A second whose lag could not be measured is left out of the judgement, not read as 0.
    if (snapshot.lagOffsets !== null) this.lagSamples.push(snapshot.lagOffsets);
    // The first step's seconds before the first acknowledgement are the driver connecting, not a rate it
    // could not hold; the records due then go out late and their send delay still counts.
    this.driverStarted ||= snapshot.achievedRate > 0;
    if (this.driverStarted) {
      this.seconds += 1;
      this.acked += snapshot.achievedRate;
    }
    this.sendDelayP99 = Math.max(this.sendDelayP99, snapshot.sendDelayP99Ms);
    for (const [name, cores] of Object.entries(snapshot.cpuCores)) {
      if (cores === null) continue;
      const sum = this.cpu.get(name) ?? { sum: 0, seconds: 0 };
      this.cpu.set(name, { sum: sum.sum + cores, seconds: sum.seconds + 1 });
    }
    this.threadBusy = {
      sum: this.threadBusy.sum + snapshot.driverThreadBusy,
      seconds: this.threadBusy.seconds + 1,
    };
    if (
      this.scenario.load.kind !== "search" ||
      snapshot.elapsedMs < state.stepStartedAtMs + this.scenario.load.stepMs
    )
      return;
    const seconds = Math.max(1, this.seconds);
    const next = search.observe({
      atMs: snapshot.elapsedMs,
      ratePerSec: this.acked / seconds,
      lagGrowing: lagKeptGrowing(this.lagSamples, state.ratePerSec),
      sendDelayP99Ms: this.sendDelayP99,
    });
    const last = search.lastStep();
    if (last && !last.sustained) {
      this.stepLoads.set(last.ratePerSec, {
        ratePerSec: last.ratePerSec,
        reason: last.reason,
        cpuCores: Object.fromEntries([...this.cpu].map(([name, { sum, seconds }]) => [name, sum / seconds])),
        driverThreadBusy: this.threadBusy.seconds > 0 ? this.threadBusy.sum / this.threadBusy.seconds : null,
      });
    }
    this.log(
      `rate search: ${Math.round(state.ratePerSec)}/s ${last ? (last.sustained ? "sustained" : `not sustained (${last.reason})`) : ""}` +
        (next.phase === "holding" ? ` → holding ${Math.round(next.ratePerSec)}/s` : "") +
        (next.phase === "recovering"
          ? ` → rate 0 for ${formatMs(next.untilMs - next.startedAtMs)} so that the driver and the aggregators catch up, then ${Math.round(next.next.ratePerSec)}/s`
          : ""),
    );
    this.lagSamples = [];
    this.seconds = 0;
    this.acked = 0;
    this.sendDelayP99 = 0;
    this.cpu = new Map();
    this.threadBusy = { sum: 0, seconds: 0 };
    this.enter(next);
  }

  /** Notes when the driver and the aggregators caught up, and ends the pause at its time. */
  private recoveringSecond(
    search: RateSearch,
    state: Extract<SearchState, { phase: "recovering" }>,
    snapshot: Snapshot,
  ): void {
    // Nothing acknowledged for a whole second: the driver has sent everything that fell due. Lag within a
    // second of the next rate: the aggregators have caught up.
    const lag = snapshot.lagOffsets;
    if (snapshot.achievedRate === 0 && lag !== null && lag <= state.next.ratePerSec)
      this.caughtUpAtMs ??= snapshot.elapsedMs;
    if (snapshot.elapsedMs < state.untilMs) return;
    const pause = `then ${formatMs(state.untilMs - state.startedAtMs)} at rate 0`;
    const note =
      this.caughtUpAtMs !== undefined
        ? `${pause}; the driver and the aggregators had caught up after ${formatMs(this.caughtUpAtMs - state.startedAtMs)}`
        : `${pause}, still behind at its end (${formatRate(snapshot.achievedRate)} acknowledged in the last second, lag ${lag === null ? "unknown" : formatCount(lag)})`;
    this.caughtUpAtMs = undefined;
    this.log(`rate search: ${note}`);
    this.enter(search.recovered(note));
  }

  private enter(next: SearchState): void {
    if (next.phase === "holding") this.onHoldStart();
    if (next.phase === "done") this.endLoad();
  }

  /**
   * What set the limit, judged at the lowest rate the search could not sustain; undefined when every step
   * was sustained (the search stopped at its maximum or ran out of time).
   */
  limiter(): RateLimiter | undefined {
    const failing = [...this.stepLoads.values()].sort((a, b) => a.ratePerSec - b.ratePerSec)[0];
    return failing ? rateLimiter(failing, cpus().length) : undefined;
  }
}
