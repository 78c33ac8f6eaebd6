import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { auditStoreContract } from '../support/audit-store-contract.js';

async function openStore(url: string) {
  const { db, dialect } = await createAuditDatabase(url);
  await migrateToLatest(db, dialect);
  const store = createKyselyAuditStore(db);
  return { db, store, close: () => store.close() };
}

t.test('contract: SQLite file', async (t) => {
  const dir = t.testdir();
  let n = 0;
  // A missing parent folder is created, as for the default sqlite:./data/audit.db.
  auditStoreContract(t, async () => openStore(`sqlite:${join(dir, `store-${(n += 1)}`, 'audit.db')}`));
});

t.test('contract: SQLite in memory', async (t) => {
  auditStoreContract(t, async () => openStore('sqlite::memory:'));
});

t.test('a file database uses WAL and a busy timeout, and keeps records across reopen', async (t) => {
  const path = join(t.testdir(), 'data', 'audit.db');
  const first = await openStore(`sqlite:${path}`);
  t.ok(existsSync(path), 'file created with its folder');
  const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db);
  t.equal(journal.rows[0]?.journal_mode, 'wal');
  const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(first.db);
  t.equal(busy.rows[0]?.timeout, 5000);
  await first.store.appendPending({
    id: '01JNKZ7ZQ0000000000000000A',
    occurredAt: '2025-03-01T12:00:00.000Z',
    actor: { id: 'a', kind: 'api-key' },
    requestId: 'r',
    action: 'x',
    apiId: 'api',
    request: {},
    plan: [],
    before: null,
  });
  await first.close();

  const second = await openStore(`sqlite:${path}`);
  t.teardown(second.close);
  t.equal((await second.store.get('01JNKZ7ZQ0000000000000000A'))?.apiId, 'api');
});

t.test('every commit reaches the disk, on a new file and on one reopened in WAL mode', async (t) => {
  // better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: a file that is already in WAL
  // mode opens with synchronous=NORMAL, whose commits a power cut can lose. 2 is FULL.
  const path = join(t.testdir(), 'audit.db');
  for (const open of ['new', 'reopened']) {
    const { db, close } = await openStore(`sqlite:${path}`);
    const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    t.equal(synchronous.rows[0]?.synchronous, 2, `${open} file: synchronous=FULL`);
    await close();
  }
});

t.test('migrations are idempotent', async (t) => {
  const { db, dialect } = await createAuditDatabase('sqlite::memory:');
  t.teardown(() => db.destroy());
  t.strictSame(await migrateToLatest(db, dialect), ['0001-audit-records', '0002-change-journal', '0003-budget-members', '0004-audit-target']);
  t.strictSame(await migrateToLatest(db, dialect), [], 'nothing to do the second time');
  const indexes = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_records' and name not like 'sqlite_%' order by name`.execute(db);
  t.strictSame(
    indexes.rows.map((row) => row.name),
    [
      'audit_records_actor_id_id',
      'audit_records_api_id_id',
      'audit_records_occurred_at',
      'audit_records_pending_api',
      'audit_records_pending_lease',
      'audit_records_status_occurred_at',
      'audit_records_target_id',
    ],
  );
});

t.test('unsupported URLs are refused without echoing passwords', async (t) => {
  await t.rejects(createAuditDatabase('mysql://user:secret@host/db'), { message: /mysql:\/\/\*\*\*@host\/db/ });
  await t.rejects(createAuditDatabase('sqlite:'), TypeError);
});
