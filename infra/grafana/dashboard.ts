/**
 * The pipeline's Grafana dashboard, generated so that its queries can be listed and run against a live
 * Prometheus. `npx tsx infra/grafana/dashboard.ts --write` regenerates dashboards/fetch-dashboard.json.
 * Queries use recorded series (infra/prometheus/rules/recording.yml) where one exists, and fixed windows
 * instead of Grafana's $__rate_interval, so every expression is plain PromQL.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

export const DASHBOARD_UID = "fetch";
export const DASHBOARD_TITLE = "fetch-dashboard";
export const DASHBOARD_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "dashboards",
  "fetch-dashboard.json",
);
const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "prometheus" };

interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  unit: string;
  kind: "timeseries" | "stat";
  queries: Query[];
  description?: string;
  /** Stat panels: value from which the number turns red. */
  redFrom?: number;
}

interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const ROWS: RowSpec[] = [
  {
    title: "Login events",
    panels: [
      {
        title: "Login events/s by device_type",
        unit: "ops",
        kind: "timeseries",
        queries: [{ expr: "device_type:login_events:rate1m", legend: "{{device_type}}" }],
      },
      {
        title: "Login events/s by locale",
        unit: "ops",
        kind: "timeseries",
        queries: [{ expr: "locale:login_events:rate1m", legend: "{{locale}}" }],
      },
      {
        title: "Records processed/s",
        unit: "ops",
        kind: "timeseries",
        description:
          "Consumed: every record read from the input. Counted: valid records in committed windows.",
        queries: [
          { expr: "job:login_consumer_records_consumed:rate1m", legend: "consumed" },
          { expr: "job:login_events:rate1m", legend: "counted" },
        ],
      },
      {
        title: "Records counted",
        unit: "short",
        kind: "stat",
        description: "The seed's total_count: records in committed windows, valid and invalid.",
        queries: [{ expr: "sum by (record_type, topic) (total_count)", legend: "{{record_type}} {{topic}}" }],
      },
    ],
  },
  {
    title: "Consumer",
    panels: [
      {
        title: "Consumer lag (offsets)",
        unit: "short",
        kind: "timeseries",
        queries: [
          {
            expr: "sum by (topic, partition) (login_consumer_lag_offsets)",
            legend: "{{topic}}/{{partition}}",
          },
        ],
      },
      {
        title: "Consumer lag (seconds)",
        unit: "s",
        kind: "timeseries",
        queries: [
          {
            expr: "max by (topic, partition) (login_consumer_lag_seconds)",
            legend: "{{topic}}/{{partition}}",
          },
        ],
      },
      {
        title: "End-to-end latency",
        unit: "s",
        kind: "timeseries",
        description: "From each record's Kafka timestamp to the commit of the window that counted it.",
        queries: [
          { expr: "job:login_consumer_e2e_latency_seconds:p50_1m", legend: "p50" },
          { expr: "job:login_consumer_e2e_latency_seconds:p99_1m", legend: "p99" },
        ],
      },
      {
        title: "Dead-letter records/s by reason",
        unit: "ops",
        kind: "timeseries",
        queries: [{ expr: "reason:login_consumer_dlq_records:rate1m", legend: "{{reason}}" }],
      },
      {
        title: "Window flush duration p99",
        unit: "s",
        kind: "timeseries",
        queries: [
          {
            expr: "histogram_quantile(0.99, sum by (le) (rate(login_consumer_window_flush_seconds_bucket[1m])))",
            legend: "p99",
          },
        ],
      },
      {
        title: "Aggregator memory",
        unit: "bytes",
        kind: "timeseries",
        queries: [
          { expr: 'process_resident_memory_bytes{job="login-consumer"}', legend: "resident {{instance}}" },
          { expr: 'nodejs_heap_size_used_bytes{job="login-consumer"}', legend: "heap used {{instance}}" },
        ],
      },
      {
        title: "Rebalances",
        unit: "short",
        kind: "stat",
        queries: [{ expr: "sum(login_consumer_rebalances_total)", legend: "rebalances" }],
      },
    ],
  },
  {
    title: "Kafka broker",
    panels: [
      {
        title: "Broker messages in/s by topic",
        unit: "ops",
        kind: "timeseries",
        queries: [{ expr: "topic:kafka_messages_in:rate1m", legend: "{{topic}}" }],
      },
      {
        title: "Broker bytes in/out",
        unit: "Bps",
        kind: "timeseries",
        queries: [
          { expr: "broker_id:kafka_bytes_in:rate1m", legend: "in, broker {{broker_id}}" },
          { expr: "broker_id:kafka_bytes_out:rate1m", legend: "out, broker {{broker_id}}" },
        ],
      },
      {
        title: "Request latency p99",
        unit: "ms",
        kind: "timeseries",
        queries: [
          {
            expr: 'max by (request) (kafka_network_requestmetrics_totaltimems{request=~"Produce|FetchConsumer|FetchFollower|TxnOffsetCommit|EndTxn",quantile="0.99"})',
            legend: "{{request}}",
          },
        ],
      },
      {
        title: "Under-replicated partitions",
        unit: "short",
        kind: "stat",
        redFrom: 1,
        queries: [{ expr: "job:kafka_under_replicated_partitions:sum", legend: "under-replicated" }],
      },
    ],
  },
];

function target(query: Query, index: number): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .datasource(DATASOURCE)
    .expr(query.expr)
    .legendFormat(query.legend)
    .range();
}

function panel(spec: PanelSpec, id: number): timeseries.PanelBuilder | stat.PanelBuilder {
  const builder =
    spec.kind === "stat"
      ? new stat.PanelBuilder()
          .graphMode(common.BigValueGraphMode.Area)
          .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]))
      : new timeseries.PanelBuilder()
          .legend(
            new common.VizLegendOptionsBuilder()
              .showLegend(true)
              .displayMode(common.LegendDisplayMode.List)
              .placement(common.LegendPlacement.Bottom),
          )
          .tooltip(
            new common.VizTooltipOptionsBuilder()
              .mode(common.TooltipDisplayMode.Multi)
              .sort(common.SortOrder.Descending),
          );
  // x = y = 0 lets the dashboard builder place the panel: two per line.
  builder
    .gridPos({ x: 0, y: 0, w: 12, h: 8 })
    .id(id)
    .title(spec.title)
    .unit(spec.unit)
    .datasource(DATASOURCE);
  if (spec.description) builder.description(spec.description);
  if (spec.redFrom !== undefined) {
    builder.thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: "green" },
        { value: spec.redFrom, color: "red" },
      ]),
    );
  }
  spec.queries.forEach((query, index) => {
    builder.withTarget(target(query, index));
  });
  return builder;
}

export function buildDashboard(): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(DASHBOARD_TITLE)
    .uid(DASHBOARD_UID)
    .tags(["login-pipeline-lab"])
    .refresh("5s")
    .time({ from: "now-15m", to: "now" })
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair);
  let id = 1;
  for (const row of ROWS) {
    builder.withRow(new dashboard.RowBuilder(row.title).id(id++));
    for (const spec of row.panels) builder.withPanel(panel(spec, id++));
  }
  return builder.build();
}

/** Every query of the dashboard, by panel title. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  return ROWS.flatMap((row) =>
    row.panels.flatMap((p) => p.queries.map((q) => ({ panel: p.title, expr: q.expr }))),
  );
}

export function renderDashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--write")) {
    writeFileSync(DASHBOARD_FILE, renderDashboardJson());
    console.log(`wrote ${DASHBOARD_FILE}`);
  } else {
    process.stdout.write(renderDashboardJson());
  }
}
