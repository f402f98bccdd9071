import { expect } from "vitest";
import type { Collected } from "../verify/collect.ts";

/**
 * Exactly once: every input record counted once, none lost, none twice, not even as an identical copy.
 * Ranges tile each partition, since the aggregators' input has no transaction markers.
 */
export function expectExact(collected: Collected): void {
  const { recount, analytics, dlq, unreadableAnalytics } = collected;
  expect(unreadableAnalytics).toEqual([]);
  expect(recount.total).toBeGreaterThan(0);
  // A lost range at a partition's start or end is no gap between ranges: the coverage check finds it.
  expect(analytics.missingCoverage).toEqual([]);
  expect(analytics.gaps).toEqual([]);
  expect(analytics.overlaps).toEqual([]);
  expect(analytics.duplicates).toEqual([]);
  expect(analytics.duplicateCopies).toBe(0);
  expect(analytics.total).toBe(recount.valid);
  expect(analytics.byDeviceType).toEqual(recount.byDeviceType);
  expect(analytics.byLocale).toEqual(recount.byLocale);
  expect(analytics.invalid).toBe(recount.invalid);
  expect(dlq.total).toBe(recount.invalid);
  expect(dlq.byReason).toEqual(recount.invalidByReason);
}
