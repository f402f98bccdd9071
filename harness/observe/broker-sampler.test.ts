import { describe, expect, it } from "vitest";
import type { PrometheusApi } from "../infra/prometheus-api.ts";
import { BrokerSampler, brokerFiguresGap } from "./broker-sampler.ts";

type Query = PrometheusApi["query"];

const answering = (answer: (expr: string) => ReturnType<Query>) =>
  new BrokerSampler({ query: (async (expr: string) => answer(expr)) as Query });

describe("BrokerSampler", () => {
  it("makes a figure Prometheus answers NaN for, or has no sample of, a gap with that reason", async () => {
    const sample = await answering(async (expr) =>
      expr.includes("messagesin") ? [] : [{ labels: { broker_id: "1" }, value: Number.NaN }],
    ).sample();
    expect(sample.figures.brokerMessagesInRate).toEqual({
      ok: false,
      reason: "Prometheus has no sample yet",
    });
    expect(sample.figures.underReplicatedPartitions).toEqual({
      ok: false,
      reason: "Prometheus answered NaN",
    });
    expect(brokerFiguresGap(sample.figures)).toBe(
      "brokerMessagesInRate: Prometheus has no sample yet; brokerBytesInRate: Prometheus answered NaN; brokerBytesOutRate: Prometheus answered NaN; underReplicatedPartitions: Prometheus answered NaN",
    );
  });

  it("makes every figure a gap with the error when Prometheus does not answer", async () => {
    const sample = await answering(async () => Promise.reject(new Error("timed out after 800 ms"))).sample();
    expect(sample.figures.brokerBytesInRate).toEqual({ ok: false, reason: "timed out after 800 ms" });
    expect(sample.cpu).toEqual({ ok: false, reason: "timed out after 800 ms" });
  });

  it("reads each figure and each broker's cores when Prometheus has them", async () => {
    const sample = await answering(async (expr) =>
      expr.includes("broker_id") ? [{ labels: { broker_id: "2" }, value: 0.5 }] : [{ labels: {}, value: 3 }],
    ).sample();
    expect(sample.figures.underReplicatedPartitions).toEqual({ ok: true, value: 3 });
    expect(sample.cpu).toEqual({ ok: true, value: [["broker-2", 0.5]] });
    expect(brokerFiguresGap(sample.figures)).toBeUndefined();
  });

  it("makes broker CPU a gap when Prometheus has no sample of it yet", async () => {
    const sample = await answering(async () => []).sample();
    expect(sample.cpu).toEqual({ ok: false, reason: "Prometheus has no broker CPU sample yet" });
  });
});
