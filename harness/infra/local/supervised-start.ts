import type { Clock } from "../../core/clock.ts";
import { LabError } from "../../core/errors.ts";

/**
 * ZooKeeper still holds the broker id for a killed process's session (until zookeeper.session.timeout.ms,
 * 18 s by default): the new process dies at start-up, and starting it again later works.
 */
const STALE_SESSION = /node already exists and owner .* does not match current session/;
/** Kafka's wrappers around the real reason, after which it logs its shutdown. */
const FATAL_WRAPPER = /Fatal error during KafkaServer startup|Exiting Kafka due to fatal exception/;
/** The first line of a Java stack trace: `org.apache.kafka.common.KafkaException: Socket server failed…` */
const EXCEPTION = /^[\w.$]+(Exception|Error): /;

/** One process started again and again until it serves, as a supervisor (systemd, an orchestrator) would. */
export interface Launchable {
  name: string;
  logFile: string;
  /** Starts the process once more. */
  launch(): void;
  running(): boolean;
  /** "exit code 1", "signal SIGKILL". */
  describeExit(): string;
  /** What the log holds from the last launch on. */
  logSinceLaunch(): string;
  /** True only when this process serves its clients (for a broker: registered and answering on its port). */
  serving(): Promise<boolean>;
}

export interface StartBounds {
  /** From the first launch: give up when the process does not serve by then. */
  boundMs: number;
  maxAttempts: number;
  pollMs: number;
  /** How long to wait before launch `attempt + 1`. */
  retryDelayMs(attempt: number): number;
}

/**
 * Enough for a stale ZooKeeper session (18 s) to expire and a JVM to start a few times on a busy machine
 * (one start took 58 s at a load average of 27 on 2 cores); the first wait is short because a slow start
 * outlasts the session on its own.
 */
export const BROKER_START_BOUNDS: StartBounds = {
  boundMs: 180_000,
  maxAttempts: 6,
  pollMs: 500,
  retryDelayMs: (attempt) => Math.min(3_000 * attempt, 10_000),
};

export interface SupervisedStart {
  /** From the first launch until it served. */
  startedAfterMs: number;
  attempts: number;
  /** Why each launch before the last one failed: its log's telling error line. */
  retriedAfter: string[];
}

/**
 * Launches `process` and returns once it serves. A launch that exits at start-up because ZooKeeper still
 * holds its old session is retried after a wait, within `bounds`; any other exit, or no service within the
 * bound, throws a LabError quoting the process's own last error line.
 */
export async function startSupervised(
  process: Launchable,
  clock: Clock,
  bounds: StartBounds = BROKER_START_BOUNDS,
): Promise<SupervisedStart> {
  const start = clock.monotonic();
  const elapsed = () => clock.monotonic() - start;
  const retriedAfter: string[] = [];
  for (let attempt = 1; ; attempt++) {
    process.launch();
    while (process.running()) {
      if (await process.serving().catch(() => false))
        return { startedAfterMs: elapsed(), attempts: attempt, retriedAfter };
      if (elapsed() >= bounds.boundMs)
        throw notBack(
          process,
          `still not serving ${seconds(elapsed())} after its restart (launch ${attempt})`,
        );
      await clock.sleep(bounds.pollMs);
    }
    const line = lastErrorLine(process.logSinceLaunch());
    const exited = `exited at start-up (${process.describeExit()}${attempt > 1 ? `, launch ${attempt}` : ""})`;
    const delay = bounds.retryDelayMs(attempt);
    if (line === undefined || !STALE_SESSION.test(line)) throw notBack(process, exited, line);
    if (attempt >= bounds.maxAttempts || elapsed() + delay >= bounds.boundMs)
      throw notBack(process, `${exited}; gave up after ${attempt} launches over ${seconds(elapsed())}`, line);
    retriedAfter.push(line);
    await clock.sleep(delay);
  }
}

function notBack(process: Launchable, what: string, line?: string): LabError {
  const quoted = line === undefined ? "it logged no error line" : `its log's last error: "${line}"`;
  return new LabError("KAFKA", `${process.name} did not come back: ${what}; ${quoted}`, {
    hint: `read ${process.logFile}`,
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The line of a log that says why a process failed: a ZooKeeper stale-session line when there is one; else
 * the last ERROR line before Kafka's fatal wrapper (what follows it is shutdown noise), or the last ERROR
 * line when there is no wrapper, or the wrapper itself, each with the exception printed under it (a port that
 * could not be bound is told only there); else the last line naming an error (a JVM's `OutOfMemoryError` is
 * printed without a log level); undefined when none.
 */
export function lastErrorLine(log: string): string | undefined {
  const lines = log.split("\n").map((l) => l.trim());
  const stale = lines.find((l) => STALE_SESSION.test(l));
  if (stale) return stale;
  const isError = (l: string) => /\] (ERROR|FATAL) /.test(l);
  const wrapper = lines.findIndex((l) => isError(l) && FATAL_WRAPPER.test(l));
  const before = wrapper >= 0 ? lines.slice(0, wrapper) : lines;
  const telling = before.map(isError).lastIndexOf(true);
  const at = telling >= 0 ? telling : wrapper;
  if (at < 0) return lines.filter((l) => /Error|Exception/.test(l)).at(-1);
  const next = lines[at + 1];
  return next !== undefined && EXCEPTION.test(next) ? `${lines[at]} / ${next}` : lines[at];
}
