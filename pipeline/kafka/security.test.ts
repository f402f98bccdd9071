import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainConnectFailure, isConnectFailure } from "./connect-errors.ts";
import { securityEnv, securityFrom } from "./security.ts";

const dir = mkdtempSync(join(tmpdir(), "lab-security-"));
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("securityFrom", () => {
  it("is empty for a plaintext cluster", () => {
    expect(securityFrom({}, {})).toEqual({});
  });

  it("reads flags before the environment, and the password from the environment or a file", () => {
    const env = { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "env-user", KAFKA_SASL_PASSWORD: "pw" };
    expect(securityFrom({ "sasl-username": "flag-user" }, env)).toEqual({
      sasl: { mechanism: "plain", username: "flag-user", password: "pw" },
    });
    const file = join(dir, "password");
    writeFileSync(file, "from-file\n");
    expect(securityFrom({ "sasl-password-file": file }, env).sasl?.password).toBe("from-file");
  });

  it("takes TLS from a CA file, implying --tls, or from --tls alone", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, pem);
    expect(securityFrom({ "tls-ca": ca }, {})).toEqual({ ssl: { ca: [pem], rejectUnauthorized: true } });
    expect(securityFrom({ tls: "" }, {})).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(securityFrom({}, { KAFKA_TLS_INSECURE: "true" })).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it.each([
    [
      { "sasl-mechanism": "gssapi" },
      {},
      "--sasl-mechanism: gssapi is not a SASL mechanism this client speaks",
    ],
    [{ "sasl-username": "u" }, {}, "--sasl-username needs a SASL mechanism"],
    [{}, { KAFKA_TLS: "maybe" }, "KAFKA_TLS: maybe is not true or false"],
    [{ "tls-ca": "/nonexistent.pem" }, {}, "--tls-ca: cannot read /nonexistent.pem"],
  ])("refuses %o %o", (flags, env, message) => {
    expect(() => securityFrom(flags, env)).toThrow(message);
  });
});

describe("securityEnv", () => {
  it("hands a child process the same settings through the environment, and clears what is unused", () => {
    const connection = {
      brokers: ["a:1"],
      sasl: { mechanism: "scram-sha-512" as const, username: "lab", password: "pw" },
      ssl: { ca: [pem], rejectUnauthorized: false },
    };
    const env = securityEnv(connection);
    expect(securityFrom({}, env)).toEqual({ sasl: connection.sasl, ssl: connection.ssl });
    expect(securityEnv({ brokers: ["a:1"] })).toMatchObject({ KAFKA_SASL_PASSWORD: "", KAFKA_TLS: "" });
    expect(securityFrom({}, securityEnv({ brokers: ["a:1"] }))).toEqual({});
  });
});

describe("explainConnectFailure", () => {
  const connection = {
    brokers: ["h:9"],
    sasl: { mechanism: "plain" as const, username: "lab", password: "pw" },
  };

  it("tells a failed authentication, a failed TLS handshake and an unreachable cluster apart", () => {
    const auth = Object.assign(new Error("SASL PLAIN authentication failed: Invalid username or password"), {
      name: "KafkaJSSASLAuthenticationError",
    });
    expect(explainConnectFailure(auth, connection)).toMatchObject({
      kind: "authentication",
      message: expect.stringMatching(/^authentication failed at h:9 for user lab with SASL PLAIN/),
    });
    const tls = Object.assign(new Error("Connection error: self-signed certificate in certificate chain"), {
      name: "KafkaJSConnectionError",
      code: "SELF_SIGNED_CERT_IN_CHAIN",
    });
    expect(explainConnectFailure(tls, { brokers: ["h:9"], ssl: true }).kind).toBe("tls");
    const closed = Object.assign(new Error("Closed connection"), { name: "KafkaJSConnectionClosedError" });
    expect(explainConnectFailure(closed, { brokers: ["h:9"] })).toMatchObject({
      kind: "unreachable",
      message: "cannot reach Kafka at h:9: Closed connection",
      hint: expect.stringContaining("add --sasl-mechanism or --tls"),
    });
    expect(isConnectFailure(new Error("wrapped", { cause: closed }))).toBe(true);
    expect(isConnectFailure(new Error("UNKNOWN_TOPIC_OR_PARTITION"))).toBe(false);
  });
});
