import { LabError } from "../core/errors.ts";

/** kafkajs spreads its error classes into its exports, which ES module imports cannot see; their names say it. */
function isKafkaClientError(error: unknown): error is Error & { retriable?: boolean } {
  return error instanceof Error && error.name.startsWith("KafkaJS");
}

/**
 * An error the Kafka client raised during a run is the cluster misbehaving, not a bug of the lab: it
 * becomes a KAFKA LabError (exit 2, no stack) that says what failed and where the brokers' logs are.
 */
export function asKafkaFailure(error: unknown, logFiles: Record<string, string>): unknown {
  if (!isKafkaClientError(error)) return error;
  const brokerLogs = Object.entries(logFiles)
    .filter(([name]) => name.startsWith("broker"))
    .map(([, file]) => file);
  return new LabError("KAFKA", `Kafka failed during the run: ${error.message}${each(error)}`, {
    hint:
      brokerLogs.length > 0
        ? `the cluster misbehaved; the brokers' logs are ${brokerLogs.join(", ")}`
        : "the cluster misbehaved; check that it is healthy and run again",
    cause: error,
    retriable: error.retriable === true,
  });
}

/** What an aggregate error (kafkajs's "Topic creation errors", say) holds: one line per error inside it. */
function each(error: Error): string {
  const inner = (error as { errors?: unknown }).errors;
  if (!Array.isArray(inner)) return "";
  return inner
    .map((e: { topic?: string; type?: string; message?: string }) => {
      const what = e.type ? `${e.message} (${e.type})` : e.message;
      return `\n  ${e.topic ? `${e.topic}: ` : ""}${what}`;
    })
    .join("");
}

/**
 * Whether Kafka's answer passes with time (a leader being elected, a broker coming back): the client's own
 * error says so, or the one its retries gave up on (kafkajs's KafkaJSNumberOfRetriesExceeded is itself
 * not retriable, and keeps the retriable error as its cause).
 */
export function passesWithTime(error: unknown): boolean {
  if (!isKafkaClientError(error)) return false;
  if (error.retriable === true) return true;
  const cause = (error as { cause?: unknown }).cause;
  return isKafkaClientError(cause) && cause.retriable === true;
}
