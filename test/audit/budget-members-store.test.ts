// The members of an AWS call budget (issue 15), on every store: two instances sharing a store see
// each other, an expired membership is not counted, a left one neither, and budgets (account and
// region) are counted apart. On SQLite, two connections to one file stand for two processes.
import { join } from 'node:path';
import t from 'tap';
import { createKyselyBudgetMembers } from '../../src/audit/budget-members.js';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createMemoryBudgetMembers } from '../../src/audit/memory-budget-members.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import type { BudgetMembers } from '../../src/services/ports.js';
import { openDynaliteAudit, startDynalite } from '../support/dynalite.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** `open` gives another instance's view of one shared store. */
function budgetContract(t: TestContext, open: () => Promise<BudgetMembers>) {
  t.test('members are counted per budget until they expire or leave', async (t) => {
    const [a, b] = [await open(), await open()];
    const key = 'aws:123456789012:us-east-1';
    t.equal(await a.beat(key, 'a', at(0), at(3_000)), 1, 'alone');
    t.equal(await b.beat(key, 'b', at(100), at(3_100)), 2, 'the second sees the first');
    t.equal(await a.beat(key, 'a', at(1_000), at(4_000)), 2, 'and the first the second');
    t.equal(await a.beat('aws:123456789012:eu-west-1', 'a', at(1_000), at(4_000)), 1, 'another region is another budget');
    // b stops beating: at 3.1 s its membership has expired.
    t.equal(await a.beat(key, 'a', at(3_200), at(6_200)), 1, 'an expired member is not counted');
    t.equal(await b.beat(key, 'b', at(3_300), at(6_300)), 2, 'until it beats again');
    await b.leave(key, 'b');
    t.equal(await a.beat(key, 'a', at(3_400), at(6_400)), 1, 'a member that left is not counted');
  });
}

t.test('memory', async (t) => {
  const shared = createMemoryBudgetMembers();
  budgetContract(t, async () => shared);
});

t.test('SQLite file, two connections', async (t) => {
  const url = `sqlite:${join(t.testdir(), 'audit.db')}`;
  budgetContract(t, async () => {
    const { db, dialect } = await createAuditDatabase(url);
    await migrateToLatest(db, dialect);
    t.teardown(() => db.destroy());
    return createKyselyBudgetMembers(db);
  });
});

t.test('PostgreSQL, two pools', async (t) => {
  const { url } = await createTestSchema(t, 'budget_members');
  budgetContract(t, async () => {
    const { db, dialect } = await createAuditDatabase(url);
    await migrateToLatest(db, dialect);
    t.teardown(() => db.destroy());
    return createKyselyBudgetMembers(db);
  });
});

t.test('DynamoDB on dynalite', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openDynaliteAudit(t, dynamo, 'budget');
  budgetContract(t, async () => audit.budget);
});
