import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VALIDATION_RULES_DOC } from "./login-event.ts";

describe("the validation rule in docs/pipeline.md", () => {
  it("is the rule the code applies, word for word", () => {
    const page = readFileSync(join(import.meta.dirname, "../../docs/pipeline.md"), "utf8");
    const block = /<!-- validation-rules:start -->\n([\s\S]*?)\n<!-- validation-rules:end -->/.exec(
      page,
    )?.[1];
    expect(block, "docs/pipeline.md has no validation-rules block").toBeDefined();
    expect(block).toBe(VALIDATION_RULES_DOC);
  });
});
