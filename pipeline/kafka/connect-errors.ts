import type { KafkaConnection } from "./client.ts";

/** Why a client could not connect, in words a person can act on. */
export interface ConnectFailure {
  kind: "authentication" | "tls" | "unreachable";
  message: string;
  hint: string;
}

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** The error and its causes, outermost first (the client wraps what the socket or the broker said). */
function chain(error: unknown): { name: string; message: string; code: string }[] {
  const links = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    links.push({ name: e.name, message: e.message, code: String((e as { code?: unknown }).code ?? "") });
  }
  return links.length > 0 ? links : [{ name: "", message: String(error), code: "" }];
}

/**
 * Tells a failed authentication and a failed TLS handshake apart from an unreachable cluster: the fix
 * for each is different, and "cannot reach Kafka" for a wrong password sends a person the wrong way.
 */
export function explainConnectFailure(error: unknown, connection: KafkaConnection): ConnectFailure {
  const links = chain(error);
  const at = connection.brokers.join(",");
  const said = links[0]?.message ?? "";
  const sasl = connection.sasl;
  if (
    links.some((l) => l.name === "KafkaJSSASLAuthenticationError" || /authentication failed/i.test(l.message))
  ) {
    return {
      kind: "authentication",
      message: `authentication failed at ${at}${sasl ? ` for user ${sasl.username} with SASL ${sasl.mechanism.toUpperCase()}` : ""}: ${said}`,
      hint: "check the user name and the password (from the environment or the password file), and that the listener takes this mechanism",
    };
  }
  if (links.some((l) => TLS_CODES.has(l.code) || /certificate|SSL routines|TLS/i.test(l.message))) {
    return {
      kind: "tls",
      message: `TLS handshake with ${at} failed: ${said}`,
      hint: "trust the broker's CA with --tls-ca (or KAFKA_TLS_CA), check the address is in its certificate, or use --tls-insecure on a test cluster",
    };
  }
  const secured = [sasl ? "SASL" : "", connection.ssl ? "TLS" : ""].filter(Boolean).join(" and ");
  return {
    kind: "unreachable",
    message: `cannot reach Kafka at ${at}: ${said}`,
    hint:
      "check that Kafka is running there and that --brokers (or KAFKA_BROKERS) names it" +
      (secured
        ? `, and that this listener speaks ${secured}`
        : "; a listener that wants SASL or TLS closes the connection: add --sasl-mechanism or --tls"),
  };
}

const CONNECTION_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSSASLAuthenticationError",
]);

/** Whether the client gave up because of the connection itself (as opposed to a request's answer). */
export function isConnectFailure(error: unknown): boolean {
  return chain(error).some((l) => CONNECTION_ERRORS.has(l.name));
}
