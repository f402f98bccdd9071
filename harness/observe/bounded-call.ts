/**
 * A call that answers within a bound or is reported as a gap: what a once-a-second sampler needs so that
 * one hung broker cannot freeze it. A call still running from an earlier sample is not started again (calls
 * would pile up on a hung broker); the sample says it is still waiting instead.
 */
export type Bounded<T> = { ok: true; value: T } | { ok: false; reason: string };

export class BoundedCall<T> {
  private pending: { since: number; promise: Promise<T> } | undefined;

  constructor(
    private readonly what: string,
    private readonly call: () => Promise<T>,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async run(): Promise<Bounded<T>> {
    if (this.pending) {
      const waited = ((this.now() - this.pending.since) / 1_000).toFixed(1);
      return { ok: false, reason: `${this.what}: the previous call has not answered for ${waited} s` };
    }
    const promise = this.call();
    const entry = { since: this.now(), promise };
    this.pending = entry;
    const settled = promise.then(
      (value): Bounded<T> => ({ ok: true, value }),
      (error: unknown): Bounded<T> => ({
        ok: false,
        reason: `${this.what} failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    void settled.finally(() => {
      if (this.pending === entry) this.pending = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Bounded<T>>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, reason: `${this.what}: no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
