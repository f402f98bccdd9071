import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "../../core/errors.ts";
import { waitFor } from "../../core/wait-for.ts";
import { appendNativeStacks } from "../local/native-stacks.ts";
import { ManagedProcess } from "../local/process.ts";
import { REPO_ROOT } from "../local/provision.ts";
import { type AggregatorSettings, aggregatorEnvironment } from "./aggregator-env.ts";
import type { AggregatorKeys } from "./coordinator.ts";
import { describeOutcome, isClean, lastErrorLine, type StopOutcome } from "./stop-outcome.ts";

/** A process (group) that takes signals: a fleet member. False when there was nothing to signal. */
export interface Signallable {
  readonly pid: number | undefined;
  signal(signal: NodeJS.Signals): boolean;
}

export interface FleetOptions extends AggregatorSettings {
  logDir: string;
  /**
   * A shell command that runs an aggregator of one's own instead of the pipeline's; it gets the same
   * settings as environment variables (see aggregator-env.ts) and must print the ready line.
   */
  command?: string;
  /** Called with each consumer's metrics address once it is up, e.g. to add it to Prometheus. */
  onMetricsEndpoint?: (address: string) => Promise<void>;
}

export type ConsumerAction = "start" | "kill" | "stop" | "restart" | "freeze" | "thaw";

export interface ConsumerEvent {
  action: ConsumerAction;
  index: number;
  pid: number | undefined;
  signal: string | undefined;
  at: number;
}

/** How long a starting aggregator may take to print its ready line. */
const READY_TIMEOUT_MS = 60_000;
/** How long an aggregator may take to commit its open windows and leave on SIGTERM. */
const STOP_GRACE_MS = 30_000;

/**
 * The aggregators as separate processes: the pipeline's (`pipeline/consumer/main.ts`, the entry point a
 * user runs) or any command given, so that a SIGKILL is a real crash and a SIGSTOP a real freeze.
 */
export class ConsumerFleet {
  private readonly members: ManagedProcess[] = [];
  readonly events: ConsumerEvent[] = [];
  /** Per consumer index, its /metrics address; missing for an aggregator that serves none. */
  private readonly metricsByIndex: (string | undefined)[] = [];

  constructor(private readonly options: FleetOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  get size(): number {
    return this.members.length;
  }

  /** What runs as each aggregator, for messages and reports. */
  get description(): string {
    return (
      this.options.command ??
      `the pipeline's aggregator (pipeline/consumer/main.ts) on ${this.options.client ?? "kafkajs"}`
    );
  }

  /** The consumer index a process id was started under, if it is one of this fleet's. */
  indexOfPid(pid: number): number | undefined {
    return this.events.find((e) => e.pid === pid)?.index;
  }

  running(): number[] {
    return this.members.flatMap((m, i) => (m.running ? [i] : []));
  }

  /** The /metrics addresses of the aggregators that serve one. */
  get metricsAddresses(): string[] {
    return this.metricsByIndex.filter((a): a is string => a !== undefined);
  }

  /** True when every aggregator started so far serves /metrics, so their counters can be compared. */
  allServeMetrics(): boolean {
    return this.members.every((_, i) => this.metricsByIndex[i] !== undefined);
  }

  /** Starts one more consumer and waits for its ready line. Returns its index. */
  async add(): Promise<number> {
    return (await this.addMember()).index;
  }

  /** Starts one more consumer and waits for its ready line. Returns the start event. */
  async addMember(): Promise<ConsumerEvent> {
    const index = this.members.length;
    const { options } = this;
    const env = { ...process.env, ...aggregatorEnvironment(options, index) };
    const logFile = join(options.logDir, `consumer-${index}.log`);
    const member = options.command
      ? new ManagedProcess({
          name: `consumer-${index}`,
          command: "/bin/sh",
          args: ["-c", options.command],
          env,
          cwd: REPO_ROOT,
          logFile,
        })
      : new ManagedProcess({
          name: `consumer-${index}`,
          command: process.execPath,
          args: ["--import", "tsx", join(REPO_ROOT, "pipeline/consumer/main.ts")],
          env,
          cwd: REPO_ROOT,
          logFile,
        });
    this.members.push(member);
    return this.launch(index, "start");
  }

  /** SIGKILL: a crash, with whatever the consumer had not committed. */
  async kill(index: number): Promise<ConsumerEvent> {
    const member = this.runningMember(index);
    const event = this.record("kill", index, member.pid, "SIGKILL");
    member.signal("SIGKILL");
    if (!(await member.waitForExit(10_000)))
      throw new LabError("KAFKA", `consumer-${index} (pid ${member.pid}) was still alive 10 s after SIGKILL`);
    return event;
  }

  /** SIGSTOP: the process freezes (no heartbeats, no commits) until thawed; the group may evict it. */
  async freeze(index: number): Promise<ConsumerEvent> {
    const member = this.runningMember(index);
    if (!member.signal("SIGSTOP")) throw new LabError("KAFKA", `consumer-${index} could not be sent SIGSTOP`);
    return this.record("freeze", index, member.pid, "SIGSTOP");
  }

  /** SIGCONT: a frozen consumer carries on where it stopped, possibly as a zombie. */
  async thaw(index: number): Promise<ConsumerEvent> {
    const member = this.runningMember(index);
    if (!member.signal("SIGCONT")) throw new LabError("KAFKA", `consumer-${index} could not be sent SIGCONT`);
    return this.record("thaw", index, member.pid, "SIGCONT");
  }

  /** A running consumer's process group, for a signal pattern of the caller's (a throttle's duty cycle). */
  signallable(index: number): Signallable {
    return this.runningMember(index);
  }

  /**
   * SIGTERM: the consumer commits its open windows, leaves the group and must exit 0. A fault that calls this
   * records the error on the fault; the end of a run uses `stopAll`, which reports instead of throwing.
   */
  async stop(index: number): Promise<ConsumerEvent> {
    const { event, outcome } = await this.terminateMember(index);
    if (!isClean(outcome)) {
      throw new LabError("KAFKA", describeOutcome(outcome), { hint: `read ${outcome.logFile}` });
    }
    return event;
  }

  /** Starts a consumer again under its index: after a kill, or (SIGTERM first) while it runs. */
  async restart(index: number): Promise<ConsumerEvent> {
    if (this.member(index).running) {
      const outcome = await this.endMember(index);
      if (!isClean(outcome))
        throw new LabError("KAFKA", describeOutcome(outcome), { hint: `read ${outcome.logFile}` });
    }
    return this.launch(index, "restart");
  }

  /**
   * Stops every running consumer and says how each ended, with those that had died unasked (their last
   * event was no kill or stop): how the pipeline ends is a finding for the report, never a reason to lose it.
   */
  async stopAll(): Promise<StopOutcome[]> {
    const stopped = await Promise.all(
      this.running().map(async (i) =>
        // One that died since the list was made is judged below with the others that died unasked.
        this.member(i).running ? [(await this.terminateMember(i)).outcome] : [],
      ),
    );
    const gone = this.members.flatMap((member, index) => {
      const last = this.events.filter((e) => e.index === index).at(-1);
      if (member.running || last?.action === "kill" || last?.action === "stop") return [];
      return [this.outcomeOf(index, "exited unasked", undefined)];
    });
    return [...gone, ...stopped.flat()].sort((a, b) => a.index - b.index);
  }

  logFiles(): string[] {
    return this.members.map((m) => m.spec.logFile);
  }

  /** The group, topic and client the aggregators run with, to find their coordinators. */
  aggregatorKeys(): AggregatorKeys {
    return {
      groupId: this.options.groupId,
      inputTopic: this.options.topics.input,
      client: this.options.command === undefined ? (this.options.client ?? "kafkajs") : undefined,
      logFiles: this.logFiles(),
    };
  }

  private member(index: number): ManagedProcess {
    const member = this.members[index];
    if (!member)
      throw new LabError(
        "USAGE",
        `there is no consumer ${index}; consumers are 0–${this.members.length - 1}`,
      );
    return member;
  }

  private runningMember(index: number): ManagedProcess {
    const member = this.member(index);
    if (!member.running)
      throw new LabError("KAFKA", `consumer-${index} is not running (${JSON.stringify(member.exit)})`);
    return member;
  }

  /** SIGCONT (a frozen one must see the TERM), SIGTERM, and SIGKILL once the grace is over. */
  private async terminateMember(index: number): Promise<{ event: ConsumerEvent; outcome: StopOutcome }> {
    const member = this.runningMember(index);
    const event = this.record("stop", index, member.pid, "SIGTERM");
    return { event, outcome: await this.endMember(index) };
  }

  /** SIGTERM and the grace; one that outlives it has its threads' stacks taken before the SIGKILL. */
  private async endMember(index: number): Promise<StopOutcome> {
    const member = this.runningMember(index);
    let stacks: string | undefined;
    const inGrace = await member.terminate(STOP_GRACE_MS, async () => {
      stacks = await appendNativeStacks(member.pid ?? -1, member.spec.logFile);
    });
    const outcome = this.outcomeOf(index, "stopped", inGrace ? undefined : STOP_GRACE_MS);
    return stacks === undefined ? outcome : { ...outcome, stacks };
  }

  private outcomeOf(
    index: number,
    how: StopOutcome["how"],
    killedAfterGraceMs: number | undefined,
  ): StopOutcome {
    const member = this.member(index);
    const { logFile } = member.spec;
    const errorLine = lastErrorLine(member.logTail(200));
    return {
      index,
      pid: member.pid,
      how,
      exit: member.exit,
      ...(killedAfterGraceMs === undefined ? {} : { killedAfterGraceMs }),
      logFile,
      ...(errorLine === undefined ? {} : { lastErrorLine: errorLine }),
    };
  }

  private record(action: ConsumerAction, index: number, pid: number | undefined, signal: string | undefined) {
    const event = { action, index, pid, signal, at: Date.now() };
    this.events.push(event);
    return event;
  }

  private async launch(index: number, action: "start" | "restart"): Promise<ConsumerEvent> {
    const member = this.member(index);
    const readyLinesBefore = readyLines(member.spec.logFile).length;
    member.start();
    const event = this.record(action, index, member.pid, undefined);
    const ready = await waitFor(
      () => {
        if (!member.running) {
          throw new LabError("STARTUP", `consumer-${index} exited while starting:\n${member.logTail(15)}`);
        }
        return readyLines(member.spec.logFile)[readyLinesBefore];
      },
      {
        what: `consumer-${index}'s ready line ({"event":"ready"} on stdout)`,
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 100,
      },
    ).catch((error: unknown) => {
      throw new LabError(
        "STARTUP",
        `${(error as Error).message}\nLast lines of its log:\n${member.logTail(15)}`,
        {
          hint: `read ${member.spec.logFile}; an aggregator of one's own must print {"event":"ready"} once it consumes`,
          cause: error,
        },
      );
    });
    if (ready.metricsPort === undefined) {
      this.metricsByIndex[index] = undefined;
      return event;
    }
    const address = `127.0.0.1:${ready.metricsPort}`;
    this.metricsByIndex[index] = address;
    await this.options.onMetricsEndpoint?.(address);
    return event;
  }
}

/** The ready lines an aggregator printed: `{"event":"ready","metricsPort":N}`, the port optional. */
function readyLines(logFile: string): { metricsPort?: number }[] {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith('{"event":"ready"'))
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as { metricsPort?: unknown };
        return [typeof parsed.metricsPort === "number" ? { metricsPort: parsed.metricsPort } : {}];
      } catch {
        return [];
      }
    });
}
