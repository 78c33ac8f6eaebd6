// The in-memory store @fastify/rate-limit ships without types (store/LocalStore.js), as used by
// rate-limit-store.ts.
declare module '@fastify/rate-limit/store/LocalStore.js' {
  type Counted = { current: number; ttl: number };
  type Callback = (error: Error | null, result?: Counted) => void;
  export default class LocalStore {
    constructor(continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number);
    incr(key: string, callback: Callback, timeWindow: number, max: number): void;
    read(key: string, callback: Callback, timeWindow: number, max: number): void;
  }
}
