// The budget's limiter (src/aws/priority-limiter.ts): changes are served before queued reads, a
// read that would wait past the bound is refused at once (503 with Retry-After), one that queued
// is refused when the bound passes, and a smaller share of the budget slows the bucket.
import t from 'tap';
import { createPriorityLimiter } from '../../src/aws/priority-limiter.js';
import { DomainError } from '../../src/domain/errors.js';

t.test('with reads queued, a change that asks later is served first', async (t) => {
  // Burst 2 less the reserve: one token, then one every 20 ms. The clock stands still while the
  // callers queue: on a loaded machine 20 ms may pass between two lines, and a token earned
  // meanwhile would serve a read before the change has asked.
  let stoppedAt: number | undefined = performance.now();
  const limiter = createPriorityLimiter({ perSecond: 50, burst: 2 }, { readWaitMs: 5_000, now: () => stoppedAt ?? performance.now() });
  await limiter.acquire('read');
  const order: string[] = [];
  const reads = ['read 1', 'read 2', 'read 3'].map((name) => limiter.acquire('read').then(() => order.push(name)));
  t.same(limiter.waiting(), { change: 0, read: 3 }, 'the reads wait');
  const change = limiter.acquire('change').then(() => order.push('change'));
  stoppedAt = undefined;
  await Promise.all([...reads, change]);
  t.same(order, ['change', 'read 1', 'read 2', 'read 3'], 'the change went before the reads queued before it');
});

t.test('a read that would wait past the bound is refused at once with Retry-After', async (t) => {
  const limiter = createPriorityLimiter({ perSecond: 10, burst: 2 }, { readWaitMs: 150 });
  await limiter.acquire('change');
  // Three changes queued: the next read would wait about 400 ms.
  const changes = [1, 2, 3].map(() => limiter.acquire('change'));
  const read = limiter.acquire('read').then(
    () => undefined,
    (error: unknown) => error,
  );
  // Settled before a timer of 0 ms fires: no wait (a wall-clock bound would fail on a loaded machine).
  const atOnce = await Promise.race([read.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 0))]);
  t.ok(atOnce, 'refused without waiting');
  const refusal = await read;
  t.ok(refusal instanceof DomainError, 'a domain error');
  t.equal((refusal as DomainError).kind, 'budget-busy', '503 (problem.ts)');
  t.equal((refusal as DomainError).retryAfterSeconds, 1, 'Retry-After: the wait it would have had, in whole seconds');
  t.same(limiter.waiting(), { change: 3, read: 0 }, 'the refused read did not queue');
  await Promise.all(changes);
});

t.test('a queued read is refused when changes that came after it keep it past the bound', async (t) => {
  const limiter = createPriorityLimiter({ perSecond: 20, burst: 2 }, { readWaitMs: 120 });
  await limiter.acquire('change');
  const started = performance.now();
  const read = limiter.acquire('read').then(
    () => 'served',
    (error: unknown) => (error instanceof DomainError ? error.kind : 'other'),
  );
  // Each change takes the next token (50 ms apart) before the read.
  const changes = [1, 2, 3, 4].map(() => limiter.acquire('change'));
  t.equal(await read, 'budget-busy', 'refused');
  const waited = performance.now() - started;
  t.ok(waited >= 110 && waited < 400, `after the bound (${waited.toFixed(0)} ms)`);
  await Promise.all(changes);
  t.same(limiter.waiting(), { change: 0, read: 0 }, 'nothing left queued');
});

t.test('a share of one half halves the rate and the burst', async (t) => {
  const limiter = createPriorityLimiter({ perSecond: 100, burst: 5 }, { readWaitMs: 5_000 });
  limiter.setShare(0.5);
  t.equal(limiter.share, 0.5);
  const started = performance.now();
  // Burst 2.5 less the reserve: 1.5 tokens at once, the other 9.5 at 50/s: about 190 ms.
  await Promise.all(Array.from({ length: 11 }, () => limiter.acquire('change')));
  const elapsed = performance.now() - started;
  t.ok(elapsed >= 170, `11 calls took ${elapsed.toFixed(0)} ms at half of 100/s (at the full rate: about 70 ms)`);
  limiter.setShare(2);
  t.equal(limiter.share, 0.5, 'a share above 1 is ignored');
});
