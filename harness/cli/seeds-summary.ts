/** How one seed of `--seeds` ended. */
export interface SeedOutcome {
  seed: number;
  verdict: "pass" | "fail" | "interrupted";
  /** Names of the assertions that failed. */
  failed: string[];
  /** The run's HTML report. */
  report: string;
}

/** One line per seed: the seed, PASS/FAIL, what failed, where the report is. */
export function seedLine(outcome: SeedOutcome): string {
  const failed = outcome.failed.length > 0 ? ` (${outcome.failed.join("; ")})` : "";
  return `seed ${outcome.seed}: ${outcome.verdict.toUpperCase()}${failed}  ${outcome.report}`;
}

/**
 * The arguments that replay one seed: the same as the many-seed run's, with `--seeds` replaced by `--seed N`
 * and without its report folder (a replay gets its own).
 */
export function replayArgs(argv: readonly string[], seed: number): string[] {
  const dropWithValue = new Set(["--seeds", "--report-dir"]);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (dropWithValue.has(arg)) {
      i++;
      continue;
    }
    if ([...dropWithValue].some((flag) => arg.startsWith(`${flag}=`))) continue;
    kept.push(arg);
  }
  return [...kept, "--seed", String(seed)];
}

/** The closing lines: which seeds failed, and the command that replays the first of them. */
export function seedsVerdict(outcomes: readonly SeedOutcome[], argv: readonly string[]): string[] {
  const failed = outcomes.filter((o) => o.verdict !== "pass");
  if (failed.length === 0) return [`all ${outcomes.length} seeds passed`];
  const first = failed[0] as SeedOutcome;
  return [
    `${failed.length} of ${outcomes.length} seeds did not pass: ${failed.map((o) => o.seed).join(", ")}`,
    `replay one: npm run scenario -- ${replayArgs(argv, first.seed).join(" ")}`,
  ];
}
