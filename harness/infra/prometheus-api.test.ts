import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { PrometheusApi } from "./prometheus-api.ts";

/** A server on a free port that takes each request and answers after `delayMs` (never, when null). */
async function serverAnswering(delayMs: number | null): Promise<string> {
  const server = createServer((_request, response) => {
    if (delayMs !== null) setTimeout(() => response.end("ok"), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("PrometheusApi.reload", () => {
  it("names Prometheus, the reload and its limit when no answer comes in time", async () => {
    const url = await serverAnswering(null);
    await expect(new PrometheusApi(url).reload(200)).rejects.toThrow(
      `Prometheus at ${url} did not answer POST /-/reload within 0.2 s (reading its config again to scrape a new target)`,
    );
  });

  it("waits for a reload that is slow but answers", async () => {
    const url = await serverAnswering(300);
    await expect(new PrometheusApi(url).reload(5_000)).resolves.toBeUndefined();
  });
});
