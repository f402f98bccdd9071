import { type InvalidReason, type LoginEvent, MAX_RECORD_BYTES } from "./login-event.ts";

/** The kinds of bad record the generator can write; each breaks exactly one validation rule. */
export const MALFORMED_KINDS = [
  "not_utf8",
  "not_json",
  "not_object",
  "missing_user_id",
  "empty_user_id",
  "bad_timestamp_negative",
  "bad_timestamp_float",
  "bad_timestamp_text",
  "missing_timestamp",
  "too_large",
  "near_kafka_limit",
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** The reason `validateRecord` must give for each kind. */
export const EXPECTED_REASON: Record<MalformedKind, InvalidReason> = {
  not_utf8: "not_utf8",
  not_json: "not_json",
  not_object: "not_object",
  missing_user_id: "bad_user_id",
  empty_user_id: "bad_user_id",
  bad_timestamp_negative: "bad_timestamp",
  bad_timestamp_float: "bad_timestamp",
  bad_timestamp_text: "bad_timestamp",
  missing_timestamp: "bad_timestamp",
  too_large: "too_large",
  near_kafka_limit: "too_large",
};

/** Under Kafka's default 1 MB message limit, so the broker accepts it and only our rule rejects it. */
export const NEAR_KAFKA_LIMIT_BYTES = 900_000;

/** Turns a good event into a record of the given kind, keeping it as close to a real login as possible. */
export function malformedValue(kind: MalformedKind, event: LoginEvent): Buffer {
  switch (kind) {
    case "not_utf8":
      return Buffer.concat([Buffer.from(`{"user_id":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`"}`)]);
    case "not_json": {
      const text = JSON.stringify(event);
      return Buffer.from(text.slice(0, Math.floor(text.length / 2)));
    }
    case "not_object":
      return Buffer.from(JSON.stringify([event.user_id, event.timestamp]));
    case "missing_user_id": {
      const { user_id: _, ...rest } = event;
      return json(rest);
    }
    case "empty_user_id":
      return json({ ...event, user_id: "" });
    case "bad_timestamp_negative":
      return json({ ...event, timestamp: -Number(event.timestamp) - 1 });
    case "bad_timestamp_float":
      return json({ ...event, timestamp: Number(event.timestamp) + 0.5 });
    case "bad_timestamp_text":
      return json({ ...event, timestamp: new Date(Number(event.timestamp) * 1000).toISOString() });
    case "missing_timestamp": {
      const { timestamp: _, ...rest } = event;
      return json(rest);
    }
    case "too_large":
      return paddedTo(event, MAX_RECORD_BYTES + 1);
    case "near_kafka_limit":
      return paddedTo(event, NEAR_KAFKA_LIMIT_BYTES);
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A valid login grown to exactly `size` bytes with a filler field, so only its size is wrong. */
function paddedTo(event: LoginEvent, size: number): Buffer {
  const bare = Buffer.byteLength(JSON.stringify({ ...event, padding: "" }));
  return json({ ...event, padding: "x".repeat(Math.max(0, size - bare)) });
}
