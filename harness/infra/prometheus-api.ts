/** The few Prometheus HTTP API calls the lab uses. */
export interface PromTarget {
  job: string;
  instance: string;
  health: "up" | "down" | "unknown";
  lastError: string;
  /** Epoch ms of the last scrape; NaN before the first. */
  lastScrapeMs: number;
}

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/** How long a config reload may take before the lab calls Prometheus unresponsive. */
const RELOAD_TIMEOUT_MS = 30_000;

export class PrometheusApi {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
  }

  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  async targets(): Promise<PromTarget[]> {
    const body = (await this.get("/api/v1/targets?state=active")) as {
      activeTargets: {
        labels: Record<string, string>;
        health: PromTarget["health"];
        lastError: string;
        lastScrape: string;
      }[];
    };
    return body.activeTargets.map((t) => ({
      job: t.labels.job ?? "",
      instance: t.labels.instance ?? "",
      health: t.health,
      lastError: t.lastError,
      lastScrapeMs: Date.parse(t.lastScrape),
    }));
  }

  /** An instant query; returns one sample per series (vector results) or one unlabelled sample (scalar). */
  async query(expr: string, time?: number, timeoutMs = 10_000): Promise<PromSample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set("time", String(time / 1000));
    const data = (await this.get(`/api/v1/query?${params}`, timeoutMs)) as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[] | [number, string];
    };
    if (data.resultType === "scalar") {
      const [, value] = data.result as [number, string];
      return [{ labels: {}, value: Number(value) }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      labels: r.metric,
      value: Number(r.value[1]),
    }));
  }

  /**
   * Has Prometheus read its config again (a new scrape target). Reloads queue behind each other and behind
   * rule evaluation: in a chaos run at load average 48, two aggregators started in the same second each
   * waited over 5 s, so the limit only guards against a Prometheus that no longer answers.
   */
  async reload(timeoutMs = RELOAD_TIMEOUT_MS): Promise<void> {
    const response = await fetch(`${this.baseUrl}/-/reload`, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      if ((error as Error).name !== "TimeoutError") throw error;
      throw new Error(
        `Prometheus at ${this.baseUrl} did not answer POST /-/reload within ${timeoutMs / 1000} s (reading its config again to scrape a new target)`,
      );
    });
    if (!response.ok)
      throw new Error(
        `Prometheus refused to reload its config: HTTP ${response.status} ${await response.text()}`,
      );
  }

  private async get(path: string, timeoutMs = 10_000): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }
}
