// A read started ahead of need (DESIGN §3: independent reads run in parallel) must not reject
// while nobody waits for it: it is held settled, and its error is thrown only where it is used.

export type Settled<T> = { value: T } | { error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The value, or the read's error thrown here, where it is needed. */
export async function unsettle<T>(settled: Promise<Settled<T>>): Promise<T> {
  const outcome = await settled;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
