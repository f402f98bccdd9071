import { LabError } from "../core/errors.ts";

const METRIC = "kafka_controller_kafkacontroller_activecontrollercount";

/**
 * The active controller from each broker's JMX exporter page: the one broker whose ActiveControllerCount
 * is 1. This holds for a ZooKeeper-mode controller broker and for the active KRaft controller (in combined
 * mode a broker is also a controller voter), where the Metadata API's controller id is only a random broker.
 */
export function activeControllerFrom(pages: ReadonlyMap<number, string | Error>): number {
  const active: number[] = [];
  const unread: string[] = [];
  for (const [brokerId, page] of pages) {
    if (page instanceof Error) {
      unread.push(`broker ${brokerId}: ${page.message}`);
      continue;
    }
    const line = page.split("\n").find((l) => l.startsWith(`${METRIC} `) || l.startsWith(`${METRIC}{`));
    if (line !== undefined && Number(line.slice(line.lastIndexOf(" ") + 1)) === 1) active.push(brokerId);
  }
  if (active.length === 1) return active[0] as number;
  const why = unread.length > 0 ? ` (not read: ${unread.join("; ")})` : "";
  throw new LabError(
    "KAFKA",
    active.length === 0
      ? `no broker reports itself the active controller${why}`
      : `brokers ${active.join(", ")} each report themselves the active controller${why}`,
  );
}

/** Reads each broker's exporter page, each bounded, and finds the active controller. */
export async function readActiveController(
  exporters: ReadonlyMap<number, string>,
  boundMs = 2_000,
): Promise<number> {
  const pages = new Map<number, string | Error>();
  await Promise.all(
    [...exporters].map(async ([brokerId, url]) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(boundMs) });
        pages.set(brokerId, response.ok ? await response.text() : new Error(`HTTP ${response.status}`));
      } catch (error) {
        pages.set(brokerId, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  return activeControllerFrom(pages);
}
