import type { RateSearch } from "../load/rate-search.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Snapshot } from "./observer.ts";
import { lagKeptGrowing } from "./step-judge.ts";

/** Feeds the max-rate search what each step showed, and ends the load when its hold is over. */
export class SearchStepper {
  private lagSamples: number[] = [];
  private seconds = 0;
  private acked = 0;
  private sendDelayP99 = 0;

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
    if (state.phase === "searching") {
      // A second whose lag could not be measured is left out of the judgement, not read as 0.
      if (snapshot.lagOffsets !== null) this.lagSamples.push(snapshot.lagOffsets);
      this.seconds += 1;
      this.acked += snapshot.achievedRate;
      this.sendDelayP99 = Math.max(this.sendDelayP99, snapshot.sendDelayP99Ms);
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
      this.log(
        `rate search: ${Math.round(state.ratePerSec)}/s ${last ? (last.sustained ? "sustained" : `not sustained (${last.reason})`) : ""}` +
          (next.phase === "holding" ? ` → holding ${Math.round(next.ratePerSec)}/s` : ""),
      );
      this.lagSamples = [];
      this.seconds = 0;
      this.acked = 0;
      this.sendDelayP99 = 0;
      if (next.phase === "holding") this.onHoldStart();
      if (next.phase === "done") this.endLoad();
    } else if (state.phase === "holding") {
      if (snapshot.elapsedMs >= state.endsAtMs) this.endLoad();
      else search.observeHoldSecond(snapshot.achievedRate);
    }
  }
}
