import { type ValidationResult, validateRecord } from "../../pipeline/events/login-event.ts";
import type { Counts } from "../result/types.ts";

/**
 * Counts records the way the pipeline should: valid ones by device_type and locale, invalid ones by
 * reason. Used for the ledger (what the driver had acknowledged) and the recount (a fresh read of the
 * input topic), with the same rule the consumer applies.
 */
export class CountsBuilder {
  private total = 0;
  private valid = 0;
  private readonly byDeviceType: Record<string, number> = {};
  private readonly byLocale: Record<string, number> = {};
  private readonly invalidByReason: Record<string, number> = {};

  /** Validates a record's value and counts it; returns the verdict for callers that need it too. */
  add(value: Buffer | null): ValidationResult {
    const result = validateRecord(value);
    this.addResult(result);
    return result;
  }

  /** Counts a verdict already reached, e.g. by the generator that built the record. */
  addResult(result: ValidationResult): void {
    this.total++;
    if (result.ok) {
      this.valid++;
      increment(this.byDeviceType, result.event.deviceType);
      increment(this.byLocale, result.event.locale);
    } else {
      increment(this.invalidByReason, result.reason);
    }
  }

  /** A snapshot; the builder can go on counting. */
  build(): Counts {
    return {
      total: this.total,
      valid: this.valid,
      invalid: this.total - this.valid,
      byDeviceType: { ...this.byDeviceType },
      byLocale: { ...this.byLocale },
      invalidByReason: { ...this.invalidByReason },
    };
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
