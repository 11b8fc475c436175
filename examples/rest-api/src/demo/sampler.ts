// Reads the service's /health every interval while the load runs: database queries and
// the HTTP cache's hits and misses, for the report's time series.

export interface Sample {
  /** Seconds since the load began. */
  readonly t: number;
  readonly queries: number;
  readonly hits: number;
  readonly misses: number;
}

export interface Health {
  queries: number;
  stats: null | {
    byMethod: Record<string, { hits: number; misses: number; coalesced: number; loads: number }>;
  };
}

export async function readHealth(url: string): Promise<Health> {
  const response = await fetch(`${url}/health`);
  if (!response.ok) throw new Error(`GET ${url}/health: ${response.status}`);
  return (await response.json()) as Health;
}

/** The response cache's counters (`#get` is the label of the HTTP lookups). */
export function httpCounters(health: Health): { hits: number; misses: number } {
  const row = health.stats?.byMethod['#get'];
  return { hits: row?.hits ?? 0, misses: row?.misses ?? 0 };
}

export class Sampler {
  readonly samples: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  readonly #start = performance.now();

  constructor(
    private readonly url: string,
    intervalMs = 250,
  ) {
    this.#timer = setInterval(() => void this.sample(), intervalMs);
  }

  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const t = (performance.now() - this.#start) / 1000;
      const health = await readHealth(this.url);
      this.samples.push({ t, queries: health.queries, ...httpCounters(health) });
    } catch {
      // A sample lost under load leaves a gap in the series, nothing else.
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.sample();
  }
}
