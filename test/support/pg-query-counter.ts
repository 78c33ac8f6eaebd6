// Counts the queries sent on a pg pool's connections. Each client.query is one round trip to
// PostgreSQL (a multi-statement simple query too), so a test can pin how many a step costs.
import type pg from 'pg';

export interface QueryCounter {
  /** The text of every query sent since the counter was made (or last reset), in order. */
  readonly texts: string[];
  reset(): void;
}

/** Wraps `query` of every client the pool hands out from now on (each client once). */
export function countQueries(pool: pg.Pool): QueryCounter {
  const texts: string[] = [];
  const wrapped = new WeakSet<pg.PoolClient>();
  // 'acquire' fires before pool.connect() hands the client over, so no query goes uncounted.
  pool.on('acquire', (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const [config] = args;
      texts.push(typeof config === 'string' ? config : String((config as { text?: unknown } | undefined)?.text));
      return query(...args);
    };
  });
  return { texts, reset: () => void texts.splice(0) };
}
