import type { IHeaders, KafkaMessage } from "kafkajs";
import type { InvalidReason } from "../events/login-event.ts";

/** A rejected input record as it goes to the dead-letter topic: unchanged, with why and where in headers. */
export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Dead letters go out in requests of at most this much, so a batch of large rejects never exceeds the broker's limit. */
export const DLQ_REQUEST_BYTES = 512 * 1024;

export function deadLetter(
  message: Pick<KafkaMessage, "key" | "value" | "offset">,
  topic: string,
  partition: number,
  reason: InvalidReason,
): DeadLetter {
  return {
    key: message.key,
    value: message.value,
    headers: {
      "dlq.reason": reason,
      "dlq.source.topic": topic,
      "dlq.source.partition": String(partition),
      "dlq.source.offset": message.offset,
    },
  };
}

/** Splits letters into runs of at most `maxBytes` each, in order; a letter bigger than that goes alone. */
export function* byteChunks(letters: DeadLetter[], maxBytes: number): Generator<DeadLetter[]> {
  let chunk: DeadLetter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const size = (letter.value?.length ?? 0) + (letter.key?.length ?? 0);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(letter);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
