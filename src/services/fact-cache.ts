// Facts a change would otherwise read from AWS every time, kept for a bounded time (issue 15):
// an API's protocol type (AWS never changes it) and a function name's ARN (GetFunction). Each
// entry expires after its TTL, and is dropped as soon as AWS says the thing is gone
// (NotFoundException): a function deleted behind Gatewire's back is looked up again on the next
// change that names it, never served stale past that change's first read of it.

export interface TtlCacheOptions {
  ttlMs: number;
  /** At most this many entries; the oldest goes first. */
  maxEntries?: number;
  now?: () => number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value satisfies `test`. */
  deleteWhere(test: (value: V, key: string) => boolean): void {
    for (const [key, entry] of this.entries) if (test(entry.value, key)) this.entries.delete(key);
  }
}

export interface FactCache {
  /** API id -> protocol type (WEBSOCKET, HTTP): immutable in AWS; dropped when the API is gone. */
  protocolTypes: TtlCache<string>;
  /** `name:qualifier` -> function ARN; dropped when the function is found gone. */
  functionArns: TtlCache<string>;
}

/** Default TTLs: a protocol type never changes (the bound only limits an id reused after a deletion). */
export const PROTOCOL_TYPE_TTL_MS = 60 * 60_000;
export const FUNCTION_ARN_TTL_MS = 5 * 60_000;

export function createFactCache(options: { protocolTtlMs?: number; functionTtlMs?: number; now?: () => number } = {}): FactCache {
  const now = options.now ?? Date.now;
  return {
    protocolTypes: new TtlCache({ ttlMs: options.protocolTtlMs ?? PROTOCOL_TYPE_TTL_MS, now }),
    functionArns: new TtlCache({ ttlMs: options.functionTtlMs ?? FUNCTION_ARN_TTL_MS, now }),
  };
}

/** Forgets the ARN cached for `functionArn` (any name or qualifier that resolved to it). */
export function forgetFunction(cache: FactCache, functionArn: string): void {
  const unqualified = functionArn.split(':').slice(0, 7).join(':');
  cache.functionArns.deleteWhere((arn) => arn.split(':').slice(0, 7).join(':') === unqualified);
}
