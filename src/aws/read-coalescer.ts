// Identical concurrent reads reach AWS once, and GET endpoints may be answered from an answer a
// few seconds old (issue 15). An SDK middleware, outermost on the clients: a Get/List call made for a
// read (services/read-context.ts) joins an identical call in flight, or takes a cached answer younger
// than `cacheMs` (noting its age for the `Age` header). Calls of a change never join, never read
// the cache and never fill it: a change plans on fresh state. Any other command (a write) drops
// the cached and in-flight reads of its API (of every Lambda function, for a Lambda write) before
// and after it runs, and a read that overlapped a write is not cached, so a GET after a change
// sees the change.
import type { MiddlewareStack } from '@smithy/types';
import { currentRead } from '../services/read-context.js';

export interface ReadCoalescerOptions {
  /** How long an answer may be reused by later reads; 0 only coalesces concurrent ones. */
  cacheMs: number;
  /** Entries kept at most (oldest dropped first). */
  maxEntries?: number;
  now?: () => number;
}

export interface ReadCoalescer {
  add(stack: MiddlewareStack<any, any>, service: 'apigatewayv2' | 'lambda'): void;
  /** Counts since start (tests, metrics): reads answered by AWS, by a call in flight, by the cache. */
  stats(): { sent: number; joined: number; cached: number };
}

interface Entry {
  at: number;
  output: unknown;
  scope: string;
}

export function createReadCoalescer(options: ReadCoalescerOptions): ReadCoalescer {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 1_000;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, { promise: Promise<any>; scope: string }>();
  // Bumped by every write to a scope: a read that saw its scope's number change meanwhile may
  // carry the state before the write and is not kept.
  const generations = new Map<string, number>();
  const stats = { sent: 0, joined: 0, cached: 0 };

  const invalidate = (scope: string) => {
    generations.set(scope, (generations.get(scope) ?? 0) + 1);
    for (const [key, entry] of cache) if (entry.scope === scope) cache.delete(key);
    for (const [key, flight] of inflight) if (flight.scope === scope) inflight.delete(key);
  };
  const remember = (key: string, entry: Entry) => {
    cache.delete(key);
    cache.set(key, entry);
    for (const [oldest, old] of cache) {
      if (cache.size <= maxEntries && entry.at - old.at <= options.cacheMs) break;
      cache.delete(oldest);
    }
  };

  return {
    stats: () => ({ ...stats }),
    add(stack, service) {
      stack.add(
        (next: any, context: any) => async (args: any) => {
          const command = String(context.commandName ?? '');
          const input = (args?.input ?? {}) as Record<string, unknown>;
          // API Gateway's reads and writes name their API; Lambda's policies are all one scope
          // (a function may be named by name, ARN or partial ARN).
          const scope = service === 'lambda' ? 'lambda' : `api:${typeof input['ApiId'] === 'string' ? input['ApiId'] : '*'}`;
          if (!READ_COMMAND.test(command)) {
            invalidate(scope);
            if (service === 'apigatewayv2') invalidate('api:*');
            try {
              return await next(args);
            } finally {
              invalidate(scope);
              if (service === 'apigatewayv2') invalidate('api:*');
            }
          }
          const read = currentRead();
          if (read === undefined) return next(args);
          const key = `${service}\u0000${command}\u0000${stableJson(input)}`;
          const hit = cache.get(key);
          if (hit !== undefined && now() - hit.at <= options.cacheMs) {
            stats.cached += 1;
            read.oldestCachedAt = Math.min(read.oldestCachedAt ?? Infinity, hit.at);
            return { output: structuredClone(hit.output) };
          }
          const flying = inflight.get(key);
          if (flying !== undefined) {
            stats.joined += 1;
            const result = await flying.promise;
            return { ...result, output: structuredClone(result.output) };
          }
          stats.sent += 1;
          const generation = generations.get(scope) ?? 0;
          const promise = next(args);
          inflight.set(key, { promise, scope });
          try {
            const result = await promise;
            if (options.cacheMs > 0 && (generations.get(scope) ?? 0) === generation) {
              remember(key, { at: now(), output: structuredClone(result.output), scope });
            }
            // Every caller gets a copy of its own: the one the joiners copy from stays untouched.
            return { ...result, output: structuredClone(result.output) };
          } finally {
            if (inflight.get(key)?.promise === promise) inflight.delete(key);
          }
        },
        { step: 'initialize', priority: 'high', name: 'gatewireReadCoalescer', override: true },
      );
    },
  };
}

/** AWS names its reads Get… and List…; every other command may change something. */
const READ_COMMAND = /^(Get|List)[A-Z]/;

/** JSON with object keys sorted: two inputs that differ only in key order are one read. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
