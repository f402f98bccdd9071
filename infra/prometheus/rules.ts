import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";

export const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), "rules");
export const RULE_FILE_NAMES = ["recording.yml", "alerts.yml"] as const;
/** Absolute paths, as a Prometheus running on this machine loads them. */
export const RULE_FILES = RULE_FILE_NAMES.map((name) => join(RULES_DIR, name));

export interface RuleExpression {
  /** File name inside infra/prometheus/rules. */
  file: string;
  /** The recorded series or the alert name. */
  name: string;
  expr: string;
  kind: "record" | "alert";
}

const ruleSchema = z.union([
  z.object({ record: z.string(), expr: z.string() }),
  z.object({ alert: z.string(), expr: z.string() }),
]);
const ruleFileSchema = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(ruleSchema) })),
});

/** Every expression of the committed rule files, for checks that run them against a live Prometheus. */
export function ruleExpressions(): RuleExpression[] {
  return RULE_FILE_NAMES.flatMap((file) => {
    const parsed = ruleFileSchema.parse(parse(readFileSync(join(RULES_DIR, file), "utf8")));
    return parsed.groups.flatMap((group) =>
      group.rules.map(
        (rule): RuleExpression =>
          "record" in rule
            ? { file, name: rule.record, expr: rule.expr, kind: "record" }
            : { file, name: rule.alert, expr: rule.expr, kind: "alert" },
      ),
    );
  });
}
