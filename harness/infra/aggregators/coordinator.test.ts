import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LabError } from "../../core/errors.ts";
import { aggregatorTransactionalId } from "./coordinator.ts";

const keys = { groupId: "g", inputTopic: "user-login", logFiles: [] };

describe("aggregatorTransactionalId", () => {
  it("is the id committing partition 0 on kafkajs", () => {
    expect(aggregatorTransactionalId({ ...keys, client: "kafkajs" })).toBe("g-user-login-0");
  });

  it("is the id consumer 0 last logged on librdkafka, without the line's colon", () => {
    const file = join(mkdtempSync(join(tmpdir(), "coordinator-")), "consumer-0.log");
    writeFileSync(
      file,
      "12:00:01 transactional id g-user-login-100-aa11bb: one producer for every partition held (KIP-447)\n" +
        "12:00:09 transactional id g-user-login-200-cc22dd: one producer for every partition held (KIP-447)\n",
    );
    expect(aggregatorTransactionalId({ ...keys, client: "librdkafka", logFiles: [file] })).toBe(
      "g-user-login-200-cc22dd",
    );
  });

  it("says why it cannot tell: nothing logged yet, or an aggregator of one's own", () => {
    const file = join(mkdtempSync(join(tmpdir(), "coordinator-")), "consumer-0.log");
    writeFileSync(file, "starting\n");
    expect(() => aggregatorTransactionalId({ ...keys, client: "librdkafka", logFiles: [file] })).toThrow(
      /consumer 0 has not logged its transactional id yet/,
    );
    expect(() => aggregatorTransactionalId({ ...keys, client: undefined })).toThrow(LabError);
  });
});
