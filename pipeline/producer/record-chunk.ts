import type { GeneratedRecord } from "../events/generator.ts";
import { type LoginEvent, type ValidationResult, validateMadeRecord } from "../events/login-event.ts";
import { MALFORMED_KINDS } from "../events/malformed.ts";

/**
 * Records made on a worker thread, packed into typed arrays and one buffer of bytes: structured-cloning one
 * object per record cost the receiving thread about as much as making the records, so nothing per record
 * crosses as an object.
 */
export interface RecordChunk {
  /** Index into KINDS. */
  kinds: Uint8Array;
  bytes: ArrayBuffer;
  /** Per record: value start, value end, key end (the key follows its value; equal ends: no key). */
  ends: Uint32Array;
  /** Per record: index into `strings` of device type, locale, app version, or of the invalid reason. */
  fields: Uint16Array;
  timestampSec: Float64Array;
  strings: string[];
}

const KINDS: readonly GeneratedRecord["kind"][] = ["valid", ...MALFORMED_KINDS];
const FIELDS = 3;

export function packChunk(records: readonly GeneratedRecord[]): RecordChunk {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const id = (text: string) => {
    let n = ids.get(text);
    if (n === undefined) {
      n = strings.push(text) - 1;
      ids.set(text, n);
    }
    return n;
  };
  // Room for every value and every key at UTF-8's worst of 3 bytes per UTF-16 unit; keys (UUIDs) take 1.
  let room = 0;
  for (const record of records) room += record.value.byteLength + (record.key?.length ?? 0) * 3;
  const all = Buffer.from(new ArrayBuffer(room));
  const ends = new Uint32Array(records.length * 3);
  const fields = new Uint16Array(records.length * FIELDS);
  const timestampSec = new Float64Array(records.length);
  const kinds = new Uint8Array(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as GeneratedRecord;
    kinds[i] = KINDS.indexOf(record.kind);
    ends[i * 3] = at;
    at += record.value.copy(all, at);
    ends[i * 3 + 1] = at;
    if (record.key !== null) at += all.write(record.key, at);
    ends[i * 3 + 2] = at;
    const expected = record.expected;
    if (expected.ok) {
      fields[i * 3] = id(expected.event.deviceType);
      fields[i * 3 + 1] = id(expected.event.locale);
      fields[i * 3 + 2] = id(expected.event.appVersion);
      timestampSec[i] = expected.event.timestampSec;
    } else {
      fields[i * 3] = id(expected.reason);
      timestampSec[i] = -1;
    }
  }
  return { kinds, bytes: all.buffer as ArrayBuffer, ends, fields, timestampSec, strings };
}

/**
 * Record `i` of a chunk, stamped with the timestamp of `dueTimeMs`. A valid record made for another second
 * gets that second's digits written over its own in place (each record is unpacked once), or, where the
 * digits differ in number or the timestamp is not the last field, is remade from its own JSON. A malformed
 * one keeps the timestamp it was made with (the generator does not hand out the event behind it, and its
 * bytes cannot be parsed back); its verdict and reason are the same either way.
 */
export function unpackRecord(chunk: RecordChunk, i: number, dueTimeMs: number): GeneratedRecord {
  const [start, valueEnd, keyEnd] = [chunk.ends[i * 3], chunk.ends[i * 3 + 1], chunk.ends[i * 3 + 2]] as [
    number,
    number,
    number,
  ];
  const kind = KINDS[chunk.kinds[i] as number] as GeneratedRecord["kind"];
  const value = Buffer.from(chunk.bytes, start, valueEnd - start);
  const key = keyEnd > valueEnd ? Buffer.from(chunk.bytes, valueEnd, keyEnd - valueEnd).toString() : null;
  let timestamp = chunk.timestampSec[i] as number;
  const second = Math.floor(dueTimeMs / 1000);
  if (kind === "valid" && timestamp !== second) {
    const digits = String(second);
    const at = stampAt(value, timestamp, digits.length);
    if (at === undefined) {
      const event = { ...(JSON.parse(value.toString()) as LoginEvent), timestamp: second };
      const again = Buffer.from(JSON.stringify(event));
      return { key, value: again, kind, expected: validateMadeRecord(again, event) };
    }
    value.write(digits, at, "latin1");
    timestamp = second;
  }
  const [a, b, c] = [chunk.fields[i * 3], chunk.fields[i * 3 + 1], chunk.fields[i * 3 + 2]] as [
    number,
    number,
    number,
  ];
  const expected: ValidationResult =
    timestamp >= 0
      ? {
          ok: true,
          event: {
            userId: key ?? "",
            deviceType: chunk.strings[a] as string,
            locale: chunk.strings[b] as string,
            appVersion: chunk.strings[c] as string,
            timestampSec: timestamp,
          },
        }
      : { ok: false, reason: chunk.strings[a] as Extract<ValidationResult, { ok: false }>["reason"] };
  return { key, value, kind, expected };
}

/**
 * Where the digits of `timestamp` start in a value that ends with `"timestamp":<timestampSec>}` (the
 * generator writes it last) and has room for `length` digits there; undefined otherwise. Checked only for a
 * record being re-stamped, not for every record made.
 */
function stampAt(value: Buffer, timestampSec: number, length: number): number | undefined {
  const old = String(timestampSec);
  const tail = `"timestamp":${old}}`;
  if (old.length !== length || value.byteLength < tail.length) return undefined;
  const start = value.byteLength - tail.length;
  return value.toString("latin1", start) === tail ? value.byteLength - 1 - old.length : undefined;
}
