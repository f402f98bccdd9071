import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.ts";
import { renderK6Script } from "../k6/script.ts";
import type { Scenario } from "../scenario/types.ts";

/** `--write-k6 FILE`: the scenario's load as a k6 script (see harness/k6/script.ts); nothing is started. */
export async function writeK6Script(scenario: Scenario, file: string): Promise<void> {
  if (!file.endsWith(".ts"))
    throw new UsageError(
      `--write-k6: ${file} does not end in .ts; the script is TypeScript, which k6 1.x runs as it is`,
      `name it e.g. ${scenario.name}.k6.ts`,
    );
  const script = renderK6Script(scenario);
  try {
    await writeFile(file, script);
  } catch (error) {
    throw new UsageError(
      `--write-k6: cannot write ${file}: ${(error as Error).message}`,
      "give a path in a folder that exists and that you can write to",
    );
  }
  process.stderr.write(
    `wrote ${resolve(file)}: run it with k6 built with xk6-kafka, e.g.\n  npm run scenario -- ${scenario.name} --driver external --driver-command "k6 run ${file}"\n`,
  );
}
