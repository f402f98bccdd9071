import { createWriteStream, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Clock } from "../../core/clock.ts";
import { labHome } from "../local/run-registry.ts";

const KEEP_RUNS = 5;

/**
 * Each container's output, appended to a file per service, so a failed start or a report can point at a
 * file as the local provider does. Folders of older runs beyond the newest few are removed.
 */
export class ContainerLogs {
  readonly dir: string;
  private readonly files = new Map<string, string>();

  constructor(clock: Clock) {
    const root = join(labHome(), "container-logs");
    const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, "-");
    this.dir = join(root, `${stamp}-${process.pid}`);
    mkdirSync(this.dir, { recursive: true });
    const runs = readdirSync(root).sort();
    for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS))) {
      rmSync(join(root, old), { recursive: true, force: true });
    }
  }

  /** A log consumer for testcontainers; call it again with the new stream after a container restarts. */
  consumer(service: string): (stream: Readable) => void {
    const file = join(this.dir, `${service}.log`);
    this.files.set(service, file);
    return (stream) => {
      stream.pipe(createWriteStream(file, { flags: "a" }));
    };
  }

  /** Service name → log file. */
  all(): Record<string, string> {
    return Object.fromEntries(this.files);
  }
}
