import type { KafkaConnection } from "../../pipeline/kafka/client.ts";
import type { ClientName } from "../../pipeline/kafka/record-producer.ts";
import type { Clock } from "../core/clock.ts";
import type { ConsumerFleet } from "../infra/aggregators/consumer-fleet.ts";
import type { ExternalOptions } from "../infra/external.ts";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import type { ProviderName, StartedStack } from "../infra/types.ts";
import type { RateCurve } from "../load/curve.ts";
import type { CountsBuilder } from "../load/ledger.ts";
import type { RateSearch } from "../load/rate-search.ts";
import type { AnalyticsTail } from "../observe/analytics-tail.ts";
import type { DeliveryRecorder } from "../observe/delivery.ts";
import type { LabMetrics } from "../observe/lab-metrics.ts";
import type { LagProbe } from "../observe/lag-probe.ts";
import type { KafkaRecordTimestamps } from "../observe/record-timestamps.ts";
import type { Timeline } from "../observe/timeline.ts";
import type { Scenario } from "../scenario/types.ts";
import type { RunTopics } from "../verify/collect.ts";
import type { ExternalLoad } from "./setup.ts";

export interface RunOptions {
  scenario: Scenario;
  provider: ProviderName;
  external?: ExternalOptions;
  /** Messages for a person: start-up, faults, warnings. */
  log: (line: string) => void;
  /** The live progress line, once a second. */
  progress: (line: string) => void;
  /** Where consumer logs go. */
  logDir: string;
  signal?: AbortSignal;
  clock?: Clock;
  /** A shell command that runs an aggregator of one's own instead of the pipeline's (see infra/aggregators/consumer-fleet.ts). */
  consumerCommand?: string;
  /** The load driver's Kafka client; default the fastest installed. */
  client?: ClientName;
  /** The pipeline aggregator's Kafka client; default kafkajs (see pipeline/consumer/args.ts). */
  aggregatorClient?: ClientName;
  /** Load driver processes, each with its share of the schedule (see load/fleet-load.ts); default 1, this one. */
  producers?: number;
  /** A shell command that drives the load instead of the lab's driver (see load/external-load.ts). */
  driverCommand?: string;
}

/** Where the run starts in each of its topics (see prepareTopics). */
export interface TopicStarts {
  input: Map<number, bigint>;
  output: Map<number, bigint>;
  dlq: Map<number, bigint>;
}

/**
 * What every phase of one run works on: the stack, its topics and group, the aggregators, the observers
 * and the timeline everything seen is recorded in. Built once the topics are ready (see
 * prepareTopicsAndGroup); nothing in it has started yet, so a failure before the run's `try` leaves nothing
 * running.
 */
export interface RunContext {
  readonly options: RunOptions;
  readonly scenario: Scenario;
  readonly log: (line: string) => void;
  readonly clock: Clock;
  readonly startedAt: Date;
  readonly stack: StartedStack;
  readonly connection: KafkaConnection;
  readonly topics: RunTopics;
  readonly groupId: string;
  readonly start: TopicStarts;
  readonly prometheusUrl: string | undefined;
  readonly grafanaUrl: string | undefined;
  readonly prometheus: PrometheusApi | undefined;
  readonly labMetrics: LabMetrics;
  readonly timeline: Timeline;
  /** Fed by the driver's acks and the analytics tail from their first record. */
  readonly delivery: DeliveryRecorder;
  readonly fleet: ConsumerFleet;
  readonly aggregatorClient: ClientName;
  readonly probe: LagProbe;
  readonly recordTimestamps: KafkaRecordTimestamps;
  readonly search: RateSearch | undefined;
  readonly curve: RateCurve;
  /** What the lab's own single driver acknowledged (a fleet or an external driver keeps its own). */
  readonly ledger: CountsBuilder;
  /** Aborted to end the load early: Ctrl-C, or a rate search that found its limit. */
  readonly stopLoad: AbortController;
  /** Started by a phase and stopped by a later one; the run's `finally` stops whichever is still here. */
  readonly running: { tail?: AnalyticsTail; externalLoad?: ExternalLoad };
}
