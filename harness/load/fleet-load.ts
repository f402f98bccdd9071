import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { AckedBatch, SentRecord } from "../../pipeline/producer/producer.ts";
import { LabError } from "../core/errors.ts";
import type { Scenario } from "../scenario/types.ts";
import { type FleetRun, startDriverFleet } from "./driver-fleet.ts";

/** What the observer reads of an acked batch, whichever process sent it: where it landed, and its times. */
export type AckedTimes = Pick<AckedBatch, "partition" | "baseOffset"> & {
  records: readonly Pick<SentRecord, "dueTimeMs" | "sentAtMs">[];
};

export interface FleetLoadInput {
  processes: number;
  scenario: Scenario;
  connection: KafkaConnection;
  topic: string;
  client: ClientName;
  /** Stops every process's load. */
  signal: AbortSignal;
  /** Every ack's times, from whichever process. */
  onAck: (ack: AckedTimes) => void;
  log: (line: string) => void;
}

/** Ready processes; `run` starts their schedules now. */
export interface FleetLoad {
  run(): Promise<FleetRun>;
}

/**
 * A run's load from `--producers N` driver processes, each with its share of the scenario's fixed profile,
 * started and connected before the run's clock starts (a process takes seconds to load on a busy machine).
 * Every ack's times come back for the observer, so its send delay and latency histograms see every record
 * exactly as from one process; the processes' ledgers come back merged.
 */
export async function prepareFleetLoad(input: FleetLoadInput): Promise<FleetLoad> {
  const { scenario, log } = input;
  const { load } = scenario;
  if (load.kind === "search") {
    throw new LabError("INTERNAL", "a max-rate search runs on one driver process (checked with the flags)");
  }
  const fleet = await startDriverFleet({
    processes: input.processes,
    init: {
      connection: input.connection,
      topic: input.topic,
      client: input.client,
      seed: scenario.seed,
      malformed: scenario.malformed,
      malformedKinds: scenario.malformedKinds,
      load: { kind: "profile", profile: load, durationMs: scenario.durationMs },
      forwardAcks: true,
    },
    log,
  });
  return {
    run: () =>
      fleet.run({
        signal: input.signal,
        onAck: (ack) =>
          input.onAck({
            partition: ack.partition,
            baseOffset: ack.baseOffset,
            records: Array.from(ack.dueTimeMs, (dueTimeMs, i) => ({
              dueTimeMs,
              sentAtMs: ack.sentAtMs[i] as number,
            })),
          }),
        onSendError: (failure) =>
          log(`a send of ${failure.records} event(s) failed after retries: ${failure.error.message}`),
      }),
  };
}
