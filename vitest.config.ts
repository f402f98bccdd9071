import { defineConfig } from "vitest/config";

// Three projects, one after another: `unit` is pure logic with no broker and no child process; `process`
// starts, signals and times real child processes (the scenario CLI, stand-ins for aggregators and brokers);
// `integration` runs against real Kafka, ZooKeeper and Prometheus that its global setup starts once and
// hands out through provide/inject.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Unit tests first, alone: the integration tests measure rates and must not share 2 cores with them.
          sequence: { groupOrder: 0 },
          // A limit here only guards against a hang: on a shared 2-core machine the few tests that push
          // thousands of records through validation took 6–8 s, past vitest's 5 s default.
          testTimeout: 30_000,
          include: [
            "harness/**/*.test.ts",
            "pipeline/**/*.test.ts",
            "scenarios/**/*.test.ts",
            "infra/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/*.process.test.ts", "node_modules/**"],
        },
      },
      {
        test: {
          name: "process",
          // After unit, so its timings (a duty cycle's stops, a CLI's start-up) do not share the cores
          // with unit's workers; before integration, which measures rates.
          sequence: { groupOrder: 1 },
          // Starting node and tsx takes seconds on a loaded 2-core machine; the limit only guards against a hang.
          testTimeout: 30_000,
          include: ["**/*.process.test.ts"],
          exclude: ["node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 2 },
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
