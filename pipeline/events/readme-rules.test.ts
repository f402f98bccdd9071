import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VALIDATION_RULES_DOC } from "./login-event.ts";

describe("the README's validation rule", () => {
  it("is the rule the code applies, word for word", () => {
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const block = /<!-- validation-rules:start -->\n([\s\S]*?)\n<!-- validation-rules:end -->/.exec(
      readme,
    )?.[1];
    expect(block, "README.md has no validation-rules block").toBeDefined();
    expect(block).toBe(VALIDATION_RULES_DOC);
  });
});
