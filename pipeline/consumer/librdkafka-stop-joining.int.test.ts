import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { waitFor } from "../../harness/core/wait-for.ts";
import { aggregatorGroup, produceLogins } from "../../harness/testing/aggregator-group.ts";
import type { KafkaConnection } from "../kafka/client.ts";

/**
 * SIGTERM while a librdkafka aggregator is still joining its group (issue 16, chaos seed 1: consumer-2, sent
 * SIGTERM before it had joined, logged "leaving the group" and then nothing until its SIGKILL 30 s later).
 * Each round starts one more member beside a member that holds the partitions and stops it at a delay after
 * its ready line; each must exit 0 inside the fleet's 30 s grace (its own stop is bounded at 20 s). One
 * that does not has its threads' native stacks appended to its log before the SIGKILL.
 */

const shared = inject("stack");
const connection: KafkaConnection = { brokers: shared.bootstrapServers };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`[stop-joining] ${line}\n`);
const ROUNDS = Number(process.env.STOP_JOINING_ROUNDS ?? 1);

const cases = [
  // Delays after the ready line: from at once to about when a join completes on a loaded machine.
  { beside: "a running member", freezeHolder: false, delaysMs: [0, 150, 400, 800, 1_500, 2_500] },
  // The join waits for the frozen holder to rejoin until its 10 s session ends: a long join, as under a
  // broker fault or a frozen member in a chaos run.
  {
    beside: "a member frozen meanwhile",
    freezeHolder: true,
    delaysMs: [500, 2_000, 4_000, 6_000, 8_000, 11_000],
  },
];

describe.each(cases)(
  "a librdkafka aggregator sent SIGTERM while it joins, beside $beside",
  ({ freezeHolder, delaysMs }) => {
    // Each round starts six members and waits out a join each: about 2 min on a loaded machine.
    it(`exits 0 within its stop bound at each of ${delaysMs.length} delays, ${ROUNDS} round(s)`, {
      timeout: 60_000 + ROUNDS * 180_000,
    }, async () => {
      const setup = await aggregatorGroup(connection, {
        client: "librdkafka",
        partitions: 3,
        windowMs: 2_000,
      });
      const { fleet } = setup;
      const joined = (index: number) =>
        /joined group/.test(readFileSync(fleet.logFiles()[index] ?? "", "utf8"));
      const holder = await fleet.add();
      await waitFor(() => joined(holder) || undefined, {
        what: "the first member to join",
        timeoutMs: 60_000,
      });
      const load = produceLogins(setup, { rate: 200, durationMs: 30_000, seed: 5 });

      const outcomes: {
        delayMs: number;
        beforeJoin: boolean;
        stopMs: number;
        clean: boolean;
        log: string;
      }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const delayMs of delaysMs) {
          const member = await fleet.add();
          if (freezeHolder) await fleet.freeze(holder);
          await pause(delayMs);
          const beforeJoin = !joined(member);
          const started = Date.now();
          const clean = await fleet.stop(member).then(
            () => true,
            () => false,
          );
          const outcome = {
            delayMs,
            beforeJoin,
            stopMs: Date.now() - started,
            clean,
            log: fleet.logFiles()[member] ?? "",
          };
          log(JSON.stringify(outcome));
          outcomes.push(outcome);
          if (freezeHolder) {
            await fleet.thaw(holder);
            await waitFor(() => fleet.running().includes(holder) || undefined, {
              what: "the holder",
              timeoutMs: 1_000,
            });
          }
        }
      }
      await load;
      const hung = outcomes.filter((o) => !o.clean || o.stopMs > 25_000);
      log(
        `${hung.length} of ${outcomes.length} did not exit 0 within 25 s (${outcomes.filter((o) => o.beforeJoin).length} stopped before their "joined group" line)`,
      );
      expect(hung.map((o) => `${o.delayMs} ms: ${o.log}`)).toEqual([]);
    });
  },
);
