// A fresh PostgreSQL schema per test file (or per store), dropped on teardown. Tap runs files
// in parallel against one database, so nothing may share tables.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Test } from 'tap';

// Trust auth on this machine, as the OS user like psql (`root` here). pg itself falls back to
// $USER, which is often unset in containers and CI. Override with GATEWIRE_TEST_POSTGRES_URL.
const defaultUser = process.env['PGUSER'] ?? process.env['USER'] ?? userInfo().username;
export const TEST_POSTGRES_URL =
  process.env['GATEWIRE_TEST_POSTGRES_URL'] ?? `postgres://${encodeURIComponent(defaultUser)}@127.0.0.1:5432/test`;

export interface TestSchema {
  schema: string;
  /** TEST_POSTGRES_URL with `?schema=` set, as createAuditDatabase accepts it. */
  url: string;
}

export async function createTestSchema(t: Test, label: string): Promise<TestSchema> {
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  const schema = `test_${safeLabel}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema "${schema}"`);
  t.teardown(() => adminQuery(`drop schema if exists "${schema}" cascade`));
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return { schema, url: url.toString() };
}

/** A pool on the test database that is not tied to any schema (e.g. for advisory locks). */
export function createTestPool(t: Test, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 4, connectionTimeoutMillis: 5_000, ...options });
  pool.on('error', () => {});
  t.teardown(() => pool.end());
  return pool;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
