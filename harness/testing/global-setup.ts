import type { TestProject } from "vitest/node";
import { startLocalStack } from "../infra/local/local-stack.ts";

export interface SharedStack {
  bootstrapServers: string[];
  prometheusUrl: string;
  logDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: SharedStack;
  }
}

/**
 * Starts one real local stack (ZooKeeper, one broker with the JMX exporter, Prometheus) for the whole
 * integration project and hands its addresses to the tests. Tests that need another shape (3 brokers,
 * KRaft) start their own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startLocalStack({
    brokers: 1,
    kraft: false,
    prometheus: true,
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  });
  const prometheusUrl = stack.prometheusUrl();
  if (!prometheusUrl) {
    await stack.stop();
    throw new Error("the integration tests need Prometheus: install it with `apt-get install prometheus`");
  }
  const logDir = Object.values(stack.logFiles())[0]?.replace(/\/[^/]+$/, "") ?? "";
  project.provide("stack", { bootstrapServers: stack.bootstrapServers(), prometheusUrl, logDir });
  return () => stack.stop();
}
