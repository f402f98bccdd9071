import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type PrometheusConfigInput, renderPrometheusConfig } from "./config.ts";

const input: PrometheusConfigInput = {
  scrapeIntervalSeconds: 1,
  kafkaTargets: [
    { brokerId: 1, address: "127.0.0.1:9401" },
    { brokerId: 2, address: "127.0.0.1:9402" },
  ],
  consumerTargets: ["127.0.0.1:9997"],
  labTargets: ["127.0.0.1:9464"],
  ruleFiles: ["/repo/infra/prometheus/rules/recording.yml"],
};

interface Rendered {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: {
    job_name: string;
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
  }[];
}

const render = (overrides: Partial<PrometheusConfigInput> = {}): Rendered =>
  parse(renderPrometheusConfig({ ...input, ...overrides })) as Rendered;

describe("renderPrometheusConfig", () => {
  it("scrapes, times out and evaluates rules at the given interval", () => {
    expect(render({ scrapeIntervalSeconds: 5 }).global).toEqual({
      scrape_interval: "5s",
      scrape_timeout: "5s",
      evaluation_interval: "5s",
    });
  });

  it("labels each broker's exporter with its broker id", () => {
    const kafka = render().scrape_configs.find((c) => c.job_name === "kafka");
    expect(kafka?.static_configs).toEqual([
      { targets: ["127.0.0.1:9401"], labels: { broker_id: "1" } },
      { targets: ["127.0.0.1:9402"], labels: { broker_id: "2" } },
    ]);
  });

  it("has the consumer and lab jobs, with no targets yet when none are known", () => {
    const config = render({ consumerTargets: [], labTargets: [] });
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(["kafka", "login-consumer", "lab"]);
    expect(config.scrape_configs[1]?.static_configs).toEqual([{ targets: [] }]);
    expect(render().scrape_configs[2]?.static_configs).toEqual([{ targets: ["127.0.0.1:9464"] }]);
    expect(render().rule_files).toEqual(input.ruleFiles);
  });

  it("rejects intervals Prometheus cannot honour and targets that are not host:port", () => {
    expect(() => render({ scrapeIntervalSeconds: 0.5 })).toThrow(/whole number of seconds/);
    expect(() => render({ consumerTargets: ["http://127.0.0.1:9997/metrics"] })).toThrow(
      /login-consumer.*host:port/,
    );
  });
});
