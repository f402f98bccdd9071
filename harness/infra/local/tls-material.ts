import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentError } from "../../core/errors.ts";

export interface TlsMaterial {
  /** PEM of the throwaway CA that signed the broker's certificate: what a client trusts. */
  caFile: string;
  /** PKCS12 keystore with the broker's key and its certificate for 127.0.0.1 and localhost. */
  keystore: { file: string; password: string };
}

/**
 * A throwaway CA and a broker keystore signed by it, made with openssl in `dir` (a run folder, never the
 * repository). Valid for two days: long enough for any run, useless if it leaks.
 */
export function makeTlsMaterial(dir: string): TlsMaterial {
  const file = (name: string) => join(dir, name);
  const password = randomBytes(12).toString("hex");
  writeFileSync(file("broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const args of opensslSteps(file)) {
    const result = spawnSync("openssl", args, {
      encoding: "utf8",
      env: { ...process.env, LAB_KEYSTORE_PASSWORD: password },
    });
    if (result.error || result.status !== 0) {
      throw new EnvironmentError(
        `openssl ${args[0]} failed while making the test broker's certificate: ${result.error?.message ?? result.stderr}`,
        "install openssl (apt-get install openssl)",
      );
    }
  }
  return { caFile: file("ca.pem"), keystore: { file: file("broker.p12"), password } };
}

/** The openssl commands, in turn: a CA, the broker's key and request, its certificate, its keystore. */
function opensslSteps(file: (name: string) => string): string[][] {
  return [
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=login-pipeline-lab test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.pem"),
    ],
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      file("broker.key"),
      "-out",
      file("broker.csr"),
    ],
    [
      "x509",
      "-req",
      "-days",
      "2",
      "-in",
      file("broker.csr"),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-extfile",
      file("broker.ext"),
      "-out",
      file("broker.pem"),
    ],
    [
      "pkcs12",
      "-export",
      "-name",
      "broker",
      "-in",
      file("broker.pem"),
      "-inkey",
      file("broker.key"),
      "-certfile",
      file("ca.pem"),
      "-passout",
      "env:LAB_KEYSTORE_PASSWORD",
      "-out",
      file("broker.p12"),
    ],
  ];
}
