import { readFileSync } from "node:fs";
import { type KafkaConnection, SASL_MECHANISMS, type SaslMechanism } from "./client.ts";

/**
 * SASL and TLS settings of the pipeline's processes, as flags and environment variables. The password
 * has no flag, so that it never shows in `ps`: it comes from KAFKA_SASL_PASSWORD or from a file.
 */
export const SECURITY_ENV = {
  "sasl-mechanism": "KAFKA_SASL_MECHANISM",
  "sasl-username": "KAFKA_SASL_USERNAME",
  "sasl-password-file": "KAFKA_SASL_PASSWORD_FILE",
  tls: "KAFKA_TLS",
  "tls-ca": "KAFKA_TLS_CA",
  "tls-insecure": "KAFKA_TLS_INSECURE",
} as const;
export const PASSWORD_ENV = "KAFKA_SASL_PASSWORD";
/** The CA as PEM text rather than a file: how the lab hands a CA it has already read to its processes. */
export const CA_PEM_ENV = "KAFKA_TLS_CA_PEM";

export type SecurityFlag = keyof typeof SECURITY_ENV;

export const SECURITY_FLAGS: Record<SecurityFlag, string> = {
  "sasl-mechanism": `SASL mechanism: ${SASL_MECHANISMS.join(", ")}`,
  "sasl-username": "SASL user name",
  "sasl-password-file": `file holding the SASL password (or put the password itself in ${PASSWORD_ENV})`,
  tls: "connect with TLS (true/false)",
  "tls-ca": "PEM file of the CA to trust (implies TLS)",
  "tls-insecure": "TLS without checking the broker's certificate (true/false)",
};

/** A bad security setting: which flag or variable, what was wrong, and how to fix it. */
export class SecurityConfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "SecurityConfigError";
  }
}

/**
 * Reads the security settings from flags (text as given, or undefined) with the environment as fallback.
 * Returns the `sasl` and `ssl` parts of a KafkaConnection; both are absent for a plaintext cluster.
 */
export function securityFrom(
  flags: Partial<Record<SecurityFlag, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): Pick<KafkaConnection, "sasl" | "ssl"> {
  const read = (flag: SecurityFlag) => {
    const given = flags[flag];
    if (given !== undefined) return { text: given, source: `--${flag}` };
    const fromEnv = env[SECURITY_ENV[flag]];
    return fromEnv === undefined || fromEnv === ""
      ? undefined
      : { text: fromEnv, source: SECURITY_ENV[flag] };
  };
  const bool = (flag: SecurityFlag) => {
    const value = read(flag);
    if (value === undefined) return false;
    if (/^(true|1|yes|)$/i.test(value.text)) return true;
    if (/^(false|0|no)$/i.test(value.text)) return false;
    throw new SecurityConfigError(`${value.source}: ${value.text} is not true or false`, `e.g. --${flag}`);
  };
  const result: Pick<KafkaConnection, "sasl" | "ssl"> = {};

  const mechanism = read("sasl-mechanism");
  const username = read("sasl-username");
  const passwordFile = read("sasl-password-file");
  if (mechanism) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism.text.toLowerCase()))
      throw new SecurityConfigError(
        `${mechanism.source}: ${mechanism.text} is not a SASL mechanism this client speaks`,
        `use one of ${SASL_MECHANISMS.join(", ")}`,
      );
    let password = env[PASSWORD_ENV];
    if (passwordFile) password = readSecretFile(passwordFile);
    if (!username || !password)
      throw new SecurityConfigError(
        `SASL ${mechanism.text} needs ${username ? "" : "a user name and "}a password`,
        `give --sasl-username (or ${SECURITY_ENV["sasl-username"]}) and the password in ${PASSWORD_ENV} or a file named by --sasl-password-file`,
      );
    result.sasl = {
      mechanism: mechanism.text.toLowerCase() as SaslMechanism,
      username: username.text,
      password,
    };
  } else if (username || passwordFile) {
    throw new SecurityConfigError(
      `${(username ?? passwordFile)?.source} needs a SASL mechanism`,
      `add --sasl-mechanism (or ${SECURITY_ENV["sasl-mechanism"]}) ${SASL_MECHANISMS.join("|")}`,
    );
  }

  const caFile = read("tls-ca");
  const caPem = env[CA_PEM_ENV];
  const insecure = bool("tls-insecure");
  if (bool("tls") || caFile || caPem || insecure) {
    const ca = caFile ? readCaFile(caFile) : caPem;
    result.ssl = { ...(ca ? { ca: [ca] } : {}), rejectUnauthorized: !insecure };
  }
  return result;
}

/**
 * The environment that gives a child process (an aggregator) the same security settings, password
 * included: a process's environment is visible to its owner only, unlike its arguments.
 */
export function securityEnv(connection: KafkaConnection): Record<string, string> {
  // Every variable is set, empty when unused, so that one left in the lab's own environment cannot leak in.
  const env: Record<string, string> = Object.fromEntries(
    [...Object.values(SECURITY_ENV), PASSWORD_ENV, CA_PEM_ENV].map((name) => [name, ""]),
  );
  if (connection.sasl) {
    env[SECURITY_ENV["sasl-mechanism"]] = connection.sasl.mechanism;
    env[SECURITY_ENV["sasl-username"]] = connection.sasl.username;
    env[PASSWORD_ENV] = connection.sasl.password;
  }
  if (connection.ssl) {
    env[SECURITY_ENV.tls] = "true";
    if (typeof connection.ssl === "object") {
      if (connection.ssl.ca) env[CA_PEM_ENV] = connection.ssl.ca.join("\n");
      if (connection.ssl.rejectUnauthorized === false) env[SECURITY_ENV["tls-insecure"]] = "true";
    }
  }
  return env;
}

function readSecretFile(value: { text: string; source: string }): string {
  try {
    return readFileSync(value.text, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new SecurityConfigError(
      `${value.source}: cannot read ${value.text}: ${(error as Error).message}`,
      "give a file that holds the password",
    );
  }
}

function readCaFile(value: { text: string; source: string }): string {
  let pem: string;
  try {
    pem = readFileSync(value.text, "utf8");
  } catch (error) {
    throw new SecurityConfigError(
      `${value.source}: cannot read ${value.text}: ${(error as Error).message}`,
      "give the path of the CA's PEM file",
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw new SecurityConfigError(
      `${value.source}: ${value.text} holds no PEM certificate`,
      "give the CA's PEM file",
    );
  return pem;
}
