/**
 * The whole stop is bounded below the 30 s a supervisor gives after SIGTERM before its SIGKILL (the lab's
 * fleet, Kubernetes' default grace). Each step of a stop is bounded on its own, but in a row (the last
 * consume, committing the open windows, leaving the group, closing the producers) they can take longer:
 * chaos seed 12 on librdkafka, whose coordinator's broker was restarting on a machine at load 40, took 30 s.
 */
export const STOP_LIMIT_MS = 20_000;

/**
 * Runs `stop` for at most `limitMs`; true when it finished. Exiting without it is exiting as a crash does,
 * which the transactions make safe: an open one is aborted by its coordinator, and the partitions' next
 * owner counts from their committed offsets what this one did not commit.
 */
export async function stopWithin(stop: () => Promise<void>, limitMs = STOP_LIMIT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), limitMs);
  });
  try {
    return await Promise.race([stop().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
