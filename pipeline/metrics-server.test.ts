import { connect } from "node:net";
import { Registry } from "prom-client";
import { describe, expect, it, onTestFinished } from "vitest";
import { serveMetrics } from "./metrics-server.ts";

describe("serveMetrics", () => {
  it.each([
    { what: "a connection that has sent nothing yet", request: "" },
    { what: "half a request", request: "GET /metrics HTTP/1.1\r\nHost: aggregator\r\n" },
  ])(
    "closes at once with $what open: an aggregator's exit after SIGTERM must not wait on a scraper",
    async ({ request }) => {
      const server = await serveMetrics(new Registry(), 0, "127.0.0.1");
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      onTestFinished(() => {
        socket.destroy();
      });
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      if (request) socket.write(request);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closed = await Promise.race([
        server.close().then(() => "closed"),
        new Promise((resolve) => setTimeout(() => resolve("still open after 2 s"), 2_000)),
      ]);
      expect(closed).toBe("closed");
    },
  );
});
