import type { Assertion, LabelCounts } from "../core/assertion.ts";
import type { Counts } from "../load/ledger.ts";
import { withoutCounts } from "../load/ledger.ts";
import { equalCount, equalLabels, labelsOf } from "./assertion.ts";
import type { DeadLetterCheck } from "./dead-letters.ts";
import type { UncoveredRecords } from "./range-recount.ts";
import type { AggregateCounts } from "./types.ts";

/** The Fetch-compatible Prometheus figures the consumer exports (total_count, device_type_count, locale_count). */
export interface FetchCounters {
  total: number;
  byDeviceType: LabelCounts;
  byLocale: LabelCounts;
}

/**
 * The count checks, from the producer's acknowledgements to the pipeline's output:
 * ledger = recount (the topic holds what the generator meant to send), recount = aggregates (every valid
 * record counted once, in total and per device_type, locale and app_version), DLQ = invalid records, and
 * the Fetch pipeline's Prometheus counters when given. `aggregates.total` counts valid records only.
 */
export function countAssertions(
  ledger: Counts | undefined,
  recount: Counts,
  aggregates: AggregateCounts,
  prometheus?: FetchCounters,
): Assertion[] {
  // Without a ledger of its own (an external driver), the topic is the ledger: comparing it with itself
  // would be a pass that proves nothing.
  const assertions = [
    ...(ledger
      ? [
          equalCount("ledger total = recount total", ledger.total, recount.total),
          equalCount("ledger valid = recount valid", ledger.valid, recount.valid),
          equalCount("ledger invalid = recount invalid", ledger.invalid, recount.invalid),
          equalLabels("ledger invalid by reason = recount", ledger.invalidByReason, recount.invalidByReason, {
            expected: "ledger",
            observed: "recount",
          }),
        ]
      : []),
    equalCount("aggregated total = recount valid", recount.valid, aggregates.total),
    equalCount("aggregated invalid = recount invalid", recount.invalid, aggregates.invalid),
    equalLabels("aggregates by device_type = recount", recount.byDeviceType, aggregates.byDeviceType),
    equalLabels("aggregates by locale = recount", recount.byLocale, aggregates.byLocale),
    equalLabels("aggregates by app_version = recount", recount.byAppVersion, aggregates.byAppVersion),
    equalCount("DLQ records = recount invalid", recount.invalid, aggregates.dlqRecords),
  ];
  if (prometheus) {
    const prometheusSource = { expected: "recount", observed: "Prometheus" };
    assertions.push(
      equalCount("Prometheus total = recount valid", recount.valid, prometheus.total),
      equalLabels(
        "Prometheus by device_type = recount",
        recount.byDeviceType,
        prometheus.byDeviceType,
        prometheusSource,
      ),
      equalLabels("Prometheus by locale = recount", recount.byLocale, prometheus.byLocale, prometheusSource),
    );
  }
  return assertions;
}

/**
 * Events lost and counted twice, as seen from the outside. A loss in one locale and a duplicate in
 * another cancel out in the total, so each dimension is compared label by label and the largest shortfall
 * (and excess) is taken: a lower bound on the true figures. Invalid records missing from, or repeated
 * in, the DLQ count too: record by record when the dead letters were checked by source, else by total.
 * Where the analytics' source ranges say more (offsets never aggregated, or aggregated twice), that
 * figure is taken instead: a loss and a double count of one size cancel in the counts, not in the ranges.
 */
export function lostAndDuplicated(
  recount: Counts,
  aggregates: AggregateCounts,
  deadLetters?: Pick<DeadLetterCheck, "missing" | "extra" | "duplicated">,
  ranges: { uncovered: number; overcounted: number } = { uncovered: 0, overcounted: 0 },
): { lost: number; duplicated: number } {
  const dimensions = [
    differences(new Map([["total", recount.valid]]), new Map([["total", aggregates.total]])),
    differences(recount.byDeviceType, aggregates.byDeviceType),
    differences(recount.byLocale, aggregates.byLocale),
    differences(recount.byAppVersion, aggregates.byAppVersion),
  ];
  const dlq = deadLetters
    ? { missing: deadLetters.missing, extra: deadLetters.extra + deadLetters.duplicated }
    : differences(new Map([["dlq", recount.invalid]]), new Map([["dlq", aggregates.dlqRecords]]));
  return {
    lost: Math.max(Math.max(...dimensions.map((d) => d.missing)) + dlq.missing, ranges.uncovered),
    duplicated: Math.max(Math.max(...dimensions.map((d) => d.extra)) + dlq.extra, ranges.overcounted),
  };
}

/**
 * `lostAndDuplicated` with the records still ahead of the group's committed offsets taken out of "lost"
 * (lag, not loss: "events not yet aggregated" fails them under its own name), and the uncovered records
 * behind those offsets, counted record by record, in place of the ranges' uncovered offsets.
 */
export function lostBeyondLag(
  recount: Counts,
  aggregates: AggregateCounts,
  deadLetters: Pick<DeadLetterCheck, "missing" | "extra" | "duplicated">,
  ranges: { uncovered: number; overcounted: number },
  uncovered: UncoveredRecords | undefined,
): { lost: number; duplicated: number } {
  if (uncovered === undefined) return lostAndDuplicated(recount, aggregates, deadLetters, ranges);
  const late = uncovered.notYetAggregated.counts;
  return lostAndDuplicated(
    withoutCounts(recount, late),
    aggregates,
    { ...deadLetters, missing: Math.max(0, deadLetters.missing - late.invalid) },
    { uncovered: uncovered.lost.records, overcounted: ranges.overcounted },
  );
}

function differences(expected: LabelCounts, observed: LabelCounts): { missing: number; extra: number } {
  let missing = 0;
  let extra = 0;
  for (const key of labelsOf(expected, observed)) {
    const difference = (observed.get(key) ?? 0) - (expected.get(key) ?? 0);
    if (difference < 0) missing -= difference;
    else extra += difference;
  }
  return { missing, extra };
}
