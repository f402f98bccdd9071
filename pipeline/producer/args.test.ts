import { describe, expect, it } from "vitest";
import { FlagError, parseProducerArgs } from "./args.ts";

const fixedSeed = () => 4242;
const parse = (argv: string[], env: Record<string, string> = {}) => parseProducerArgs(argv, env, fixedSeed);

function failure(argv: string[], env: Record<string, string> = {}): FlagError {
  try {
    parse(argv, env);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parseProducerArgs", () => {
  it("defaults to the seed system: localhost:29092, user-login, 2 records/s, no end, a random seed", () => {
    expect(parse([])).toEqual({
      brokers: ["localhost:29092"],
      topic: "user-login",
      partitions: 1,
      rate: 2,
      seed: 4242,
      malformed: 0,
      security: {},
    });
  });

  it("reads every flag", () => {
    const argv = [
      "--brokers",
      "a:1,b:2",
      "--topic",
      "t.1",
      "--partitions",
      "3",
      "--rate",
      "5000",
      "--count",
      "10",
    ];
    const more = ["--duration", "45s", "--seed", "7", "--malformed", "0.05"];
    expect(parse([...argv, ...more])).toEqual({
      brokers: ["a:1", "b:2"],
      topic: "t.1",
      partitions: 3,
      rate: 5000,
      count: 10,
      durationMs: 45_000,
      seed: 7,
      malformed: 0.05,
      security: {},
    });
    expect(parse(["--rate=max"])).toMatchObject({ rate: "max" });
    expect(parse(["--rate", "0.5"])).toMatchObject({ rate: 0.5 });
  });

  it("falls back to the environment, flags taking precedence", () => {
    const env = {
      KAFKA_BROKERS: "k:9092",
      PRODUCER_TOPIC: "from-env",
      PRODUCER_PARTITIONS: "6",
      PRODUCER_RATE: "max",
      PRODUCER_COUNT: "100",
      PRODUCER_DURATION: "2m",
      PRODUCER_SEED: "9",
      PRODUCER_MALFORMED: "1",
    };
    expect(parse([], env)).toEqual({
      brokers: ["k:9092"],
      topic: "from-env",
      partitions: 6,
      rate: "max",
      count: 100,
      durationMs: 120_000,
      seed: 9,
      malformed: 1,
      security: {},
    });
    expect(parse(["--rate", "3"], env)).toMatchObject({ rate: 3 });
    expect(parse([], { KAFKA_BROKERS: "" })).toMatchObject({ brokers: ["localhost:29092"] });
  });

  it("takes SASL and TLS from flags or the environment, the password never from a flag", () => {
    const env = { KAFKA_SASL_PASSWORD: "s3cret", KAFKA_TLS: "true" };
    expect(parse(["--sasl-mechanism", "scram-sha-256", "--sasl-username", "lab"], env)).toMatchObject({
      security: {
        sasl: { mechanism: "scram-sha-256", username: "lab", password: "s3cret" },
        ssl: { rejectUnauthorized: true },
      },
    });
    expect(failure(["--sasl-mechanism", "plain", "--sasl-username", "lab"]).message).toBe(
      "SASL plain needs a password",
    );
    expect(failure(["--sasl-mechanism", "plain"], { KAFKA_SASL_PASSWORD: "x" }).message).toBe(
      "SASL plain needs a user name and a password",
    );
    expect(failure(["--sasl-password", "x"]).message).toMatch(/Unknown argument/);
    expect(failure(["--tls-ca", "/nonexistent/ca.pem"]).message).toMatch(/^--tls-ca: cannot read/);
  });

  it.each([
    [["--rate", "-5"], /^--rate must be a positive number of records per second, or "max", got "-5"$/],
    [["--rate", "0"], /^--rate must be a positive/],
    [["--rate", "fast"], /^--rate must be/],
    [["--count", "0"], /^--count must be a whole number of at least 1, got "0"$/],
    [["--count", "1.5"], /^--count must be a whole number/],
    [["--duration", "soon"], /^--duration must be a duration such as 45s, 5m or 1h, got "soon"$/],
    [["--duration", "0s"], /^--duration must be longer than zero/],
    [["--seed", "-1"], /^--seed must be a whole number of 0 or more/],
    [["--malformed", "1.5"], /^--malformed must be a share from 0 to 1, got "1.5"$/],
    [["--partitions", "0"], /^--partitions must be a whole number from 1 to 10000/],
    [["--brokers", "localhost"], /^--brokers must be a comma-separated list of host:port, got "localhost"$/],
    [["--brokers", "h:70000"], /^--brokers must be a comma-separated list of host:port/],
    [["--topic", "bad topic"], /^--topic must be a Kafka topic name/],
    [["--rate", "1", "--rate", "2"], /^--rate was given 2 times$/],
  ])("refuses %j, naming the flag and the value", (argv, message) => {
    const error = failure(argv);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/^(for example --|give --)/);
  });

  it("names the environment variable when the bad value came from it", () => {
    expect(failure([], { PRODUCER_RATE: "-5" }).message).toBe(
      'PRODUCER_RATE must be a positive number of records per second, or "max", got "-5"',
    );
    expect(failure([], { KAFKA_BROKERS: "nope" }).message).toMatch(/^KAFKA_BROKERS must be/);
  });

  it("refuses unknown flags and stray words, pointing at --help", () => {
    expect(failure(["--rte", "5"]).message).toMatch(/Unknown argument/);
    expect(failure(["--rte", "5"]).hint).toBe("run with --help to see the flags");
    expect(failure(["5000"]).message).toMatch(/Unknown argument: 5000/);
  });

  it("answers help for --help and -h", () => {
    expect(parse(["--help"])).toBe("help");
    expect(parse(["-h"])).toBe("help");
  });
});
