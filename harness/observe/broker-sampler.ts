import type { PrometheusApi } from "../infra/prometheus-api.ts";
import type { BrokerFigure, Reading } from "./sample.ts";

const BROKER_QUERIES: Record<BrokerFigure, string> = {
  brokerMessagesInRate: 'sum(rate(kafka_server_brokertopicmetrics_messagesin_total{topic=""}[5s]))',
  brokerBytesInRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic=""}[5s]))',
  brokerBytesOutRate: 'sum(rate(kafka_server_brokertopicmetrics_bytesout_total{topic=""}[5s]))',
  // Each broker's latest sample within 5 s: under load one scrape of a broker's exporter can time out, and a
  // plain sum would then leave that broker's URP out and read a false 0.
  underReplicatedPartitions: "sum(last_over_time(kafka_server_replicamanager_underreplicatedpartitions[5s]))",
};
/** Cores each broker used, from the JMX exporter's process metrics. */
const BROKER_CPU_QUERY = 'sum by (broker_id) (rate(process_cpu_seconds_total{job="kafka"}[5s]))';
/** Each query answers within this, so that a second's sample ends within the second. */
const CALL_TIMEOUT_MS = 800;

/** One second of the brokers as Prometheus has them. */
export interface BrokerSample {
  figures: Record<BrokerFigure, Reading<number>>;
  /** Cores each broker used, keyed `broker-<id>`. */
  cpu: Reading<[string, number][]>;
}

/** Reads the brokers' figures from Prometheus; a query unanswered, empty or not a number is a gap. */
export class BrokerSampler {
  constructor(private readonly prometheus: Pick<PrometheusApi, "query">) {}

  async sample(): Promise<BrokerSample> {
    const [cpu, ...figures] = await Promise.all([
      this.cpu(),
      ...(Object.entries(BROKER_QUERIES) as [BrokerFigure, string][]).map(
        async ([key, expr]) => [key, await this.figure(expr)] as const,
      ),
    ]);
    return { figures: Object.fromEntries(figures) as BrokerSample["figures"], cpu };
  }

  private async figure(expr: string): Promise<Reading<number>> {
    try {
      const [sample] = await this.prometheus.query(expr, undefined, CALL_TIMEOUT_MS);
      if (sample === undefined) return { ok: false, reason: "Prometheus has no sample yet" };
      if (!Number.isFinite(sample.value)) return { ok: false, reason: `Prometheus answered ${sample.value}` };
      return { ok: true, value: sample.value };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  private async cpu(): Promise<Reading<[string, number][]>> {
    try {
      const samples = await this.prometheus.query(BROKER_CPU_QUERY, undefined, CALL_TIMEOUT_MS);
      if (samples.length === 0) return { ok: false, reason: "Prometheus has no broker CPU sample yet" };
      return {
        ok: true,
        value: samples.map((sample) => [`broker-${sample.labels.broker_id ?? "?"}`, sample.value]),
      };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}

/** One gap for the broker figures a second missed, each with its reason ("key: reason; …"). */
export function brokerFiguresGap(figures: BrokerSample["figures"]): string | undefined {
  const problems = Object.entries(figures).flatMap(([key, reading]) =>
    reading.ok ? [] : [`${key}: ${reading.reason}`],
  );
  return problems.length > 0 ? problems.join("; ") : undefined;
}
