// The CreateDeployment pacer with an injected clock: one interval between deployments of this
// instance, and bounded retries after a 429 from AWS.
import t from 'tap';
import { createDeploymentPacer } from '../../src/aws/deployment-pacer.js';
import { DomainError } from '../../src/domain/errors.js';

function fakeTime() {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
  };
}

const throttled = () => new DomainError('throttled', 'Too Many Requests', { aws: { error: 'TooManyRequestsException' } });

t.test('deployments start an interval apart, in arrival order', async (t) => {
  const time = fakeTime();
  const paced = createDeploymentPacer({ intervalMs: 5_000, retries: 3, now: time.now, sleep: time.sleep });
  const started: number[] = [];
  await Promise.all([1, 2, 3].map((n) => paced(async () => started.push(time.now()) && n)));
  t.same(started, [1_000, 6_000, 11_000]);
  time.advance(20_000);
  await paced(async () => started.push(time.now()));
  t.equal(time.sleeps.length, 2, 'no wait once the interval has passed');
});

t.test('a 429 is retried after an interval, a bounded number of times', async (t) => {
  const time = fakeTime();
  const paced = createDeploymentPacer({ intervalMs: 100, retries: 2, now: time.now, sleep: time.sleep });
  let calls = 0;
  t.equal(await paced(async () => (++calls < 3 ? Promise.reject(throttled()) : 'deployed')), 'deployed');
  t.equal(calls, 3);
  t.same(time.sleeps, [100, 100]);

  calls = 0;
  await t.rejects(paced(async () => (++calls, Promise.reject(throttled()))), { name: 'DomainError', kind: 'throttled' });
  t.equal(calls, 3, 'one try and two retries');
  calls = 0;
  await t.rejects(paced(async () => (++calls, Promise.reject(new DomainError('upstream', 'boom')))), { name: 'DomainError', kind: 'upstream' });
  t.equal(calls, 1, 'other failures are not retried');
});
