import type { GeneratedRecord } from "../../pipeline/events/generator.ts";
import { EXPECTED_REASON } from "../../pipeline/events/generator.ts";
import { type ValidationResult, validateRecord } from "../../pipeline/events/login-event.ts";
import { type LabelCounts, sortedByLabel } from "../core/assertion.ts";

/** Events counted by what they carry: what the driver sent (the ledger), or what a topic holds (a recount). */
export interface Counts {
  total: number;
  valid: number;
  invalid: number;
  byDeviceType: LabelCounts;
  byLocale: LabelCounts;
  byAppVersion: LabelCounts;
  invalidByReason: LabelCounts;
}

/** A validation rule: the pipeline's own by default; a test hands in a broken one. */
export type Validate = (value: Buffer | null) => ValidationResult;

/** What the ledger needs of a record the generator sent: the kind it chose, and the rule's verdict. */
export type SentIntent = Pick<GeneratedRecord, "kind" | "expected">;

/**
 * Counts records: valid ones by device_type, locale and app_version, invalid ones by reason. The recount
 * (a fresh read of the input topic) applies the validation rule; the ledger (what the driver had
 * acknowledged) takes the split from what the generator meant to send, so that a bug in the shared rule
 * shows up as ledger ≠ recount instead of agreeing with itself.
 */
export class CountsBuilder {
  private total = 0;
  private valid = 0;
  private readonly byDeviceType: LabelCounts = new Map();
  private readonly byLocale: LabelCounts = new Map();
  private readonly byAppVersion: LabelCounts = new Map();
  private readonly invalidByReason: LabelCounts = new Map();

  constructor(private readonly validate: Validate = validateRecord) {}

  /** Validates a record's value and counts it; returns the verdict for callers that need it too. */
  add(value: Buffer | null): ValidationResult {
    const result = this.validate(value);
    this.addVerdict(result);
    return result;
  }

  /** Counts a record already judged, for a caller that counts one verdict in several places. */
  addVerdict(result: ValidationResult): void {
    this.total++;
    if (result.ok) this.addValid(result.event);
    else increment(this.invalidByReason, result.reason);
  }

  /**
   * Counts a sent record as the generator meant it: valid or not by its kind, and an invalid one under the
   * reason its kind must get. A valid record's labels are read from the verdict; where the rule rejected a
   * record meant to be valid, its labels name that verdict, so the ledger differs from the recount there too.
   */
  addSent(record: SentIntent): void {
    this.total++;
    if (record.kind !== "valid") {
      increment(this.invalidByReason, EXPECTED_REASON[record.kind]);
      return;
    }
    if (record.expected.ok) {
      this.addValid(record.expected.event);
      return;
    }
    const label = `(rejected by the rule as ${record.expected.reason})`;
    this.addValid({ deviceType: label, locale: label, appVersion: label });
  }

  /** A snapshot; the builder can go on counting. */
  build(): Counts {
    return {
      total: this.total,
      valid: this.valid,
      invalid: this.total - this.valid,
      byDeviceType: sortedByLabel(this.byDeviceType),
      byLocale: sortedByLabel(this.byLocale),
      byAppVersion: sortedByLabel(this.byAppVersion),
      invalidByReason: sortedByLabel(this.invalidByReason),
    };
  }

  private addValid(labels: { deviceType: string; locale: string; appVersion: string }): void {
    this.valid++;
    increment(this.byDeviceType, labels.deviceType);
    increment(this.byLocale, labels.locale);
    increment(this.byAppVersion, labels.appVersion);
  }
}

function increment(counts: LabelCounts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** `counts` less `part` (records counted in both), label by label; a label that reaches 0 is dropped. */
export function withoutCounts(counts: Counts, part: Counts): Counts {
  const less = (a: LabelCounts, b: LabelCounts) =>
    sortedByLabel(
      new Map(
        [...a].map(([label, n]) => [label, n - (b.get(label) ?? 0)] as const).filter(([, n]) => n !== 0),
      ),
    );
  return {
    total: counts.total - part.total,
    valid: counts.valid - part.valid,
    invalid: counts.invalid - part.invalid,
    byDeviceType: less(counts.byDeviceType, part.byDeviceType),
    byLocale: less(counts.byLocale, part.byLocale),
    byAppVersion: less(counts.byAppVersion, part.byAppVersion),
    invalidByReason: less(counts.invalidByReason, part.invalidByReason),
  };
}
