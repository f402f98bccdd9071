/**
 * One error taxonomy for the lab. Every error a user can cause or fix carries a code, a hint that says
 * what to do, and whether retrying can help. The CLI maps them to exit codes and prints them without a
 * stack trace.
 */
export type LabErrorCode =
  | "USAGE" // bad flag, unknown scenario, invalid scenario definition
  | "ENVIRONMENT" // missing Java, Maven, prometheus, a port that cannot be bound
  | "PROVISION" // download of Kafka or the JMX exporter failed
  | "STARTUP" // a service did not become ready in time
  | "KAFKA" // the cluster misbehaved while the lab ran
  | "INTERNAL";

/** 0 pass, 1 a threshold failed, 2 bad usage or environment (as k6 and most test runners), 3 a bug of ours. */
export const EXIT_CODES = { pass: 0, thresholdFailed: 1, usageOrEnvironment: 2, internal: 3 } as const;

export function exitCodeFor(error: unknown): number {
  return error instanceof LabError && error.code !== "INTERNAL"
    ? EXIT_CODES.usageOrEnvironment
    : EXIT_CODES.internal;
}

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly hint: string | undefined;
  readonly retriable: boolean;

  constructor(
    code: LabErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; retriable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "LabError";
    this.code = code;
    this.hint = options.hint;
    this.retriable = options.retriable ?? false;
  }
}

export class UsageError extends LabError {
  constructor(message: string, hint?: string) {
    super("USAGE", message, hint === undefined ? {} : { hint });
    this.name = "UsageError";
  }
}

export class EnvironmentError extends LabError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("ENVIRONMENT", message, { hint, cause });
    this.name = "EnvironmentError";
  }
}

/** Renders an error for a person: the message, the hint, and for unexpected errors the stack. */
export function formatError(error: unknown): string {
  if (error instanceof LabError) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`  fix: ${error.hint}`);
    if (error.code === "INTERNAL" && error.stack) lines.push(error.stack);
    return lines.join("\n");
  }
  if (error instanceof Error) return `internal error: ${error.stack ?? error.message}`;
  return `internal error: ${String(error)}`;
}
