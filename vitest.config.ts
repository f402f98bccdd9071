import { defineConfig } from "vitest/config";

// Two projects: `unit` is pure logic with no broker; `integration` runs against real processes
// (Kafka, ZooKeeper, Prometheus) that its global setup starts once and hands out through provide/inject.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Unit tests first, alone: the integration tests measure rates and must not share 2 cores with them.
          sequence: { groupOrder: 0 },
          // A limit here only guards against a hang: on a shared 2-core machine the few tests that spawn a
          // process or push thousands of records through validation took 6–8 s, past vitest's 5 s default.
          testTimeout: 30_000,
          include: [
            "harness/**/*.test.ts",
            "pipeline/**/*.test.ts",
            "scenarios/**/*.test.ts",
            "infra/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**"],
          globalSetup: ["harness/testing/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // scenarios/every-scenario.int.test.ts runs its light scenarios two at a time, one stack each.
          maxConcurrency: 2,
        },
      },
    ],
  },
});
