// @fastify/rate-limit's in-memory store (11.2) hands every request of one key the same mutable
// counter object, and the plugin reads the count from it only after an `await`: requests that
// arrive together all read the count of the last of them. Four at once under a limit of three were
// all refused with 429 (one at a time: 401, 401, 401, 429). This store keeps the library's own
// (LRU-bounded, windowed) counting and gives each request a copy of the count as its own increment
// left it.
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';

type Counted = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Counted) => void;

interface StoreSettings {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  cache?: number;
}

export class SnapshotLocalStore {
  private readonly inner: LocalStore;

  // The plugin passes its merged settings (typed by it as route options for `child`).
  constructor(settings: object) {
    const { continueExceeding, exponentialBackoff, cache } = settings as StoreSettings;
    this.inner = new LocalStore(continueExceeding, exponentialBackoff, cache);
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.inner.incr(key, (error, result) => callback(error, result && { current: result.current, ttl: result.ttl }), timeWindow, max);
  }

  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.inner.read(key, (error, result) => callback(error, result && { current: result.current, ttl: result.ttl }), timeWindow, max);
  }

  child(settings: object): SnapshotLocalStore {
    return new SnapshotLocalStore(settings);
  }
}
