/**
 * The part of xk6-kafka's JavaScript API (`k6/x/kafka`, github.com/mostafa/xk6-kafka, api-docs/index.d.ts)
 * that the scripts the lab writes use, for type-checking them beside `@types/k6`. Upstream declares every
 * config field required; xk6-kafka reads them as optional, as here.
 */
declare module "k6/x/kafka" {
  export const SCHEMA_TYPE_STRING: "STRING";
  export const BALANCER_MURMUR2: "balancer_murmur2";
  export const SASL_PLAIN: "sasl_plain";
  export const SASL_SCRAM_SHA256: "sasl_scram_sha256";
  export const SASL_SCRAM_SHA512: "sasl_scram_sha512";

  export interface SASLConfig {
    username: string;
    password: string;
    algorithm: "sasl_plain" | "sasl_scram_sha256" | "sasl_scram_sha512";
  }

  export interface TLSConfig {
    enableTls?: boolean;
    insecureSkipTlsVerify?: boolean;
  }

  export interface WriterConfig {
    brokers: string[];
    topic: string;
    balancer?: string;
    maxAttempts?: number;
    batchSize?: number;
    /** A Go time.Duration: nanoseconds. */
    batchTimeout?: number;
    requiredAcks?: number;
    sasl?: SASLConfig;
    tls?: TLSConfig;
  }

  export interface Message {
    key?: Uint8Array;
    value: Uint8Array;
    headers?: Record<string, string>;
    time?: Date;
  }

  export class Writer {
    constructor(config: WriterConfig);
    produce(config: { messages: Message[] }): void;
    close(): void;
  }

  export class SchemaRegistry {
    constructor(config?: { url?: string });
    serialize(container: { data: string; schemaType: typeof SCHEMA_TYPE_STRING }): Uint8Array;
  }
}
