/** A login event as the seed's generator writes it to `user-login` (JSON, one per message). */
export interface LoginEvent {
  user_id: string;
  app_version: string;
  /** Left out entirely in about 5% of the seed's records. */
  device_type?: string;
  ip: string;
  locale: string;
  device_id: string;
  /** Epoch seconds; the seed writes a number, its README shows a string of digits. */
  timestamp: number | string;
}

/** What the pipeline counts from a valid record: the fields aggregated, with gaps filled by `UNKNOWN`. */
export interface NormalizedLogin {
  userId: string;
  deviceType: string;
  locale: string;
  appVersion: string;
  timestampSec: number;
}

/**
 * Why a record was rejected. A null or zero-length value (a tombstone) is `empty` rather than `not_json`,
 * so a reader can tell "nothing sent" from "garbage sent".
 */
export const INVALID_REASONS = [
  "empty",
  "too_large",
  "not_utf8",
  "not_json",
  "not_object",
  "bad_user_id",
  "bad_timestamp",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export type ValidationResult = { ok: true; event: NormalizedLogin } | { ok: false; reason: InvalidReason };

/** 64 KiB: far above a real login (about 200 bytes), far below Kafka's default 1 MB message limit. */
export const MAX_RECORD_BYTES = 65536;

export const UNKNOWN = "unknown";

/** The rule in words, for docs and reports; kept beside the code so the two cannot drift apart. */
export const VALIDATION_RULES_DOC = `A record on \`user-login\` is checked in this order; the first rule it breaks is its reason:

1. \`empty\`: the value is null or zero bytes long.
2. \`too_large\`: the value is larger than ${MAX_RECORD_BYTES} bytes (64 KiB); checked before decoding.
3. \`not_utf8\`: the bytes are not valid UTF-8.
4. \`not_json\`: the text does not parse as JSON.
5. \`not_object\`: the JSON is not an object (an array, number, string, \`true\` or \`null\`).
6. \`bad_user_id\`: \`user_id\` is missing or not a non-empty string.
7. \`bad_timestamp\`: \`timestamp\` is missing, or not a non-negative integer of epoch seconds written as a JSON number or as a string of digits only (\`1694479551\` and \`"1694479551"\` pass; \`-1\`, \`1.5\`, \`"12a"\` and \`""\` fail).

Everything else is valid; extra fields are ignored. In a valid record, \`device_type\`, \`locale\` and \`app_version\` count as \`${UNKNOWN}\` when missing, empty or not a string.`;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const DIGITS = /^[0-9]+$/;

export function validateRecord(value: Buffer | null): ValidationResult {
  if (value === null || value.length === 0) return { ok: false, reason: "empty" };
  if (value.length > MAX_RECORD_BYTES) return { ok: false, reason: "too_large" };
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: "not_utf8" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not_json" };
  }
  return validateParsed(parsed);
}

/**
 * `validateRecord(value)` for a value made as `JSON.stringify(parsed)`, without decoding and parsing it again:
 * the generator knows the object behind each valid record it writes.
 */
export function validateMadeRecord(value: Buffer, parsed: unknown): ValidationResult {
  if (value.length === 0) return { ok: false, reason: "empty" };
  if (value.length > MAX_RECORD_BYTES) return { ok: false, reason: "too_large" };
  return validateParsed(parsed);
}

/** The rules from `not_object` on, for a value that parsed as JSON. */
function validateParsed(parsed: unknown): ValidationResult {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: "not_object" };
  }
  const fields = parsed as Record<string, unknown>;
  const userId = fields.user_id;
  if (typeof userId !== "string" || userId.length === 0) return { ok: false, reason: "bad_user_id" };
  const timestampSec = parseEpochSeconds(fields.timestamp);
  if (timestampSec === undefined) return { ok: false, reason: "bad_timestamp" };
  return {
    ok: true,
    event: {
      userId,
      deviceType: labelOrUnknown(fields.device_type),
      locale: labelOrUnknown(fields.locale),
      appVersion: labelOrUnknown(fields.app_version),
      timestampSec,
    },
  };
}

function parseEpochSeconds(raw: unknown): number | undefined {
  const n = typeof raw === "number" ? raw : typeof raw === "string" && DIGITS.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function labelOrUnknown(raw: unknown): string {
  return typeof raw === "string" && raw.length > 0 ? raw : UNKNOWN;
}
