import { stringify } from "yaml";
import { UsageError } from "../../harness/core/errors.ts";

/** One broker's JMX exporter; `brokerId` becomes the `broker_id` label so panels can split by broker. */
export interface KafkaScrapeTarget {
  brokerId: number;
  address: string;
}

export interface PrometheusConfigInput {
  scrapeIntervalSeconds: number;
  kafkaTargets: KafkaScrapeTarget[];
  consumerTargets: string[];
  labTargets: string[];
  /** Paths as Prometheus will see them (absolute for a local process, container paths for Docker). */
  ruleFiles: string[];
}

/** The job names dashboards, rules and the lab's queries rely on. */
export const SCRAPE_JOBS = { kafka: "kafka", consumer: "login-consumer", lab: "lab" } as const;

const ADDRESS = /^[^\s/:]+:\d{1,5}$/;

function checkAddresses(job: string, addresses: string[]): void {
  const bad = addresses.filter((a) => !ADDRESS.test(a));
  if (bad.length > 0) {
    throw new UsageError(
      `scrape targets of job ${job} are not host:port: ${bad.join(", ")}`,
      "give targets as host:port",
    );
  }
}

/** Renders prometheus.yml. Rules are evaluated as often as targets are scraped, so recorded series keep up. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const { scrapeIntervalSeconds: seconds } = input;
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new UsageError(`scrape interval must be a whole number of seconds, at least 1 (got ${seconds})`);
  }
  checkAddresses(
    SCRAPE_JOBS.kafka,
    input.kafkaTargets.map((t) => t.address),
  );
  checkAddresses(SCRAPE_JOBS.consumer, input.consumerTargets);
  checkAddresses(SCRAPE_JOBS.lab, input.labTargets);
  const interval = `${seconds}s`;
  const config = {
    global: {
      scrape_interval: interval,
      // The default timeout (10s) is longer than a 1s interval, which Prometheus rejects.
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    rule_files: input.ruleFiles,
    scrape_configs: [
      {
        job_name: SCRAPE_JOBS.kafka,
        static_configs: input.kafkaTargets.map((t) => ({
          targets: [t.address],
          labels: { broker_id: String(t.brokerId) },
        })),
      },
      { job_name: SCRAPE_JOBS.consumer, static_configs: [{ targets: input.consumerTargets }] },
      { job_name: SCRAPE_JOBS.lab, static_configs: [{ targets: input.labTargets }] },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}
