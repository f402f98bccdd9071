import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import { securityEnv } from "../../pipeline/kafka/security.ts";
import { LabError } from "../core/errors.ts";
import { waitFor } from "../core/wait-for.ts";
import { ManagedProcess } from "../infra/local/process.ts";
import { REPO_ROOT } from "../infra/local/provision.ts";

export interface FleetOptions {
  connection: KafkaConnection;
  groupId: string;
  topics: { input: string; output: string; dlq: string };
  windowMs: number;
  inputPartitions: number;
  logDir: string;
  /** Called with each consumer's metrics address once it is up, e.g. to add it to Prometheus. */
  onMetricsEndpoint?: (address: string) => Promise<void>;
}

export interface ConsumerEvent {
  action: "start" | "kill" | "stop" | "restart";
  index: number;
  pid: number | undefined;
  signal: string | undefined;
  at: number;
}

/**
 * The pipeline's aggregators as separate processes, started through the same entry point a user runs
 * (`pipeline/consumer/main.ts`), so that a SIGKILL is a real crash.
 */
export class ConsumerFleet {
  private readonly members: ManagedProcess[] = [];
  readonly events: ConsumerEvent[] = [];
  readonly metricsAddresses: string[] = [];

  constructor(private readonly options: FleetOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  get size(): number {
    return this.members.length;
  }

  running(): number[] {
    return this.members.flatMap((m, i) => (m.running ? [i] : []));
  }

  /** Starts one more consumer and waits until it has joined the group. Returns its index. */
  async add(): Promise<number> {
    const index = this.members.length;
    const { options } = this;
    const member = new ManagedProcess({
      name: `consumer-${index}`,
      command: process.execPath,
      args: [
        "--import",
        "tsx",
        join(REPO_ROOT, "pipeline/consumer/main.ts"),
        `--brokers=${options.connection.brokers.join(",")}`,
        `--group=${options.groupId}`,
        `--input-topic=${options.topics.input}`,
        `--output-topic=${options.topics.output}`,
        `--dlq-topic=${options.topics.dlq}`,
        `--window=${options.windowMs}ms`,
        `--partitions=${options.inputPartitions}`,
        "--metrics-port=0",
        "--metrics-host=127.0.0.1",
      ],
      cwd: REPO_ROOT,
      // SASL and TLS through the environment: arguments would show the password in `ps`.
      env: { ...process.env, ...securityEnv(options.connection) },
      logFile: join(options.logDir, `consumer-${index}.log`),
    });
    this.members.push(member);
    await this.launch(index, "start");
    return index;
  }

  async kill(index: number): Promise<ConsumerEvent> {
    const member = this.member(index);
    const event = this.record("kill", index, member.pid, "SIGKILL");
    member.signal("SIGKILL");
    await member.waitForExit(10_000);
    return event;
  }

  /** SIGTERM: the consumer commits its open windows and leaves the group. */
  async stop(index: number): Promise<ConsumerEvent> {
    const member = this.member(index);
    const event = this.record("stop", index, member.pid, "SIGTERM");
    await member.terminate(30_000);
    if (member.exit?.code !== 0) {
      throw new LabError(
        "KAFKA",
        `consumer-${index} did not exit cleanly on SIGTERM (${JSON.stringify(member.exit)})`,
        {
          hint: `read ${member.spec.logFile}`,
        },
      );
    }
    return event;
  }

  async restart(index: number): Promise<ConsumerEvent> {
    const member = this.member(index);
    if (member.running) await member.terminate(30_000);
    return this.launch(index, "restart");
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((i) => this.stop(i)));
  }

  logFiles(): string[] {
    return this.members.map((m) => m.spec.logFile);
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

  private record(
    action: ConsumerEvent["action"],
    index: number,
    pid: number | undefined,
    signal: string | undefined,
  ) {
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
      { what: `consumer-${index}`, timeoutMs: 60_000, intervalMs: 100 },
    );
    const address = `127.0.0.1:${ready.metricsPort}`;
    this.metricsAddresses[index] = address;
    await this.options.onMetricsEndpoint?.(address);
    return event;
  }
}

function readyLines(logFile: string): { metricsPort: number }[] {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith('{"event":"ready"'))
    .map((line) => JSON.parse(line) as { metricsPort: number });
}
