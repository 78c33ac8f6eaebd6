// One budget per account and region (src/aws/budget-share.ts): instances renewing their
// membership divide the account's rate; one that leaves gives its share back once it has been
// gone a membership lifetime (a late beat must not double anyone's share).
import t from 'tap';
import { budgetKeyText, startBudgetShare } from '../../src/aws/budget-share.js';
import { createPriorityLimiter } from '../../src/aws/priority-limiter.js';
import { createMemoryBudgetMembers } from '../../src/audit/memory-budget-members.js';

const LIMIT = { perSecond: 10, burst: 40 };

t.test('two instances of one account and region share its budget; another region has its own', async (t) => {
  const members = createMemoryBudgetMembers();
  const limiters = [1, 2, 3].map(() => createPriorityLimiter(LIMIT, { readWaitMs: 1_000 }));
  const key = { account: '123456789012', region: 'us-east-1' };
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = () => now;
  const shares = [
    startBudgetShare({ members, key, instance: 'a', limiters: [limiters[0]!], intervalMs: 1_000, now: clock }),
    startBudgetShare({ members, key, instance: 'b', limiters: [limiters[1]!], intervalMs: 1_000, now: clock }),
    startBudgetShare({ members, key: { ...key, region: 'eu-west-1' }, instance: 'c', limiters: [limiters[2]!], intervalMs: 1_000, now: clock }),
  ];
  t.teardown(() => Promise.all(shares.map((share) => share.stop())));
  t.equal(await shares[0]!.beat(), 1, 'alone at first');
  t.equal(await shares[1]!.beat(), 2, 'the second sees two');
  t.equal(await shares[0]!.beat(), 2, 'the first sees two at its next beat');
  t.equal(await shares[2]!.beat(), 1, 'another region is another budget');
  t.same(
    limiters.map((limiter) => limiter.share),
    [0.5, 0.5, 1],
  );
  await shares[1]!.stop();
  t.equal(await shares[0]!.beat(), 1, 'the other left');
  t.equal(limiters[0]!.share, 0.5, 'the share does not grow at once: a late beat looks like a leave');
  now = new Date(now.getTime() + 3_000);
  await shares[0]!.beat();
  t.equal(limiters[0]!.share, 1, 'the whole budget again once the other has been gone a membership lifetime');
  t.equal(budgetKeyText(key), 'aws:123456789012:us-east-1', 'the key names account and region');
});

t.test('an instance that dies without leaving is counted until its membership expires', async (t) => {
  const members = createMemoryBudgetMembers();
  const key = { account: 'caller', region: 'us-east-1' };
  const limiter = createPriorityLimiter(LIMIT, { readWaitMs: 1_000 });
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = () => now;
  const dead = startBudgetShare({ members, key, instance: 'dead', limiters: [], intervalMs: 1_000, now: clock });
  const live = startBudgetShare({ members, key, instance: 'live', limiters: [limiter], intervalMs: 1_000, now: clock });
  t.teardown(() => Promise.all([dead.stop(), live.stop()]));
  await dead.beat();
  t.equal(await live.beat(), 2);
  now = new Date(now.getTime() + 2_500);
  t.equal(await live.beat(), 2, 'within three intervals it still counts');
  now = new Date(now.getTime() + 1_000);
  t.equal(await live.beat(), 1, 'after three intervals it does not');
  t.equal(limiter.share, 0.5, 'the share waits');
  now = new Date(now.getTime() + 3_000);
  await live.beat();
  t.equal(limiter.share, 1, 'then grows');
});
