// Which AWS calls are made for a read (a GET endpoint, drift) rather than for a change: the app
// runs every GET handler inside runAsRead (plugins/read-priority.ts), and the SDK middlewares read
// it back. Calls outside a read context are a change's (its plan's reads included) and go first
// (aws/priority-limiter.ts); only calls inside one may be coalesced or cached (aws/read-coalescer.ts).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ReadContext {
  /** Date.now() of the oldest cached AWS answer this read used; undefined while every answer was fresh. */
  oldestCachedAt?: number;
}

const storage = new AsyncLocalStorage<ReadContext>();

export function runAsRead<T>(context: ReadContext, work: () => T): T {
  return storage.run(context, work);
}

/** The read now running; undefined in a change (or outside any request). */
export function currentRead(): ReadContext | undefined {
  return storage.getStore();
}
