// Opens the audit database named by GATEWIRE_AUDIT_URL: a SQLite file (the zero-set-up default),
// SQLite in memory (tests), or PostgreSQL (the shared store when several instances run).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { AuditDatabase } from './tables.js';

export type AuditDialect = 'sqlite' | 'postgres';

export type AuditDatabaseHandle =
  | { db: Kysely<AuditDatabase>; dialect: 'sqlite' }
  /** `pool` is the one Kysely uses; db.destroy() ends it. */
  | { db: Kysely<AuditDatabase>; dialect: 'postgres'; pool: pg.Pool };

export interface PostgresPoolOptions {
  /** Sets `search_path` on every connection (else the `?schema=` URL parameter, else the server's). */
  schema?: string;
  /** Small by default: every instance of the service holds its own pool. */
  maxConnections?: number;
  connectionTimeoutMillis?: number;
  statementTimeoutMillis?: number;
  /**
   * Client-side bound of every query (pg's `query_timeout`): a query on a half-open socket (the
   * server gone without a FIN or RST) fails after this long instead of never. Default 30 s; the
   * advisory lock's wait sets its own, longer one (locks.ts).
   */
  queryTimeoutMillis?: number;
  /**
   * Errors of pooled connections, idle or checked out (e.g. the server restarted, a failover):
   * pg emits them on the client and the pool, and Node ends the process on an 'error' event
   * nobody listens to. The query in flight, if any, fails on its own; this only observes.
   */
  onConnectionError?: (error: Error) => void;
}

export interface AuditDatabaseOptions {
  postgres?: PostgresPoolOptions;
  /** SQLite: how long a writer waits for another connection's lock before failing. */
  sqliteBusyTimeoutMillis?: number;
}

/** The client-side bound of a query when none is given (createPostgresPool). */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

// Lower case only: search_path folds unquoted names to lower case.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function createAuditDatabase(
  url: string,
  options: AuditDatabaseOptions = {},
): Promise<AuditDatabaseHandle> {
  if (url.startsWith('sqlite:')) {
    const { SqliteDialect } = await import('./sqlite-dialect.js');
    const db = new Kysely<AuditDatabase>({
      dialect: new SqliteDialect({
        database: await openSqlite(sqlitePath(url), options.sqliteBusyTimeoutMillis ?? 5_000),
      }),
    });
    return { db, dialect: 'sqlite' };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = await createPostgresPool(url, options.postgres);
    return { db: new Kysely<AuditDatabase>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', pool };
  }
  throw new TypeError(`unsupported audit database URL (expected sqlite:… or postgres://…): ${redactUrl(url)}`);
}

/**
 * A pg pool for the audit database. Also used on its own for the advisory lock, which should
 * have a pool apart from the store's: a change holds its lock connection while it writes audit
 * records, so sharing one small pool could starve those writes.
 *
 * `pg` is imported here, on first use: a server on SQLite never loads it (on Node 20, loading it
 * alone cost a start ~40 ms: it probes for Cloudflare Workers by making a `Response`, which loads
 * undici), and in the bundles it sits in a chunk of its own.
 */
export async function createPostgresPool(url: string, options: PostgresPoolOptions = {}): Promise<pg.Pool> {
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined;
  // Not a libpq parameter: keep it away from pg's connection-string parser.
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`invalid Postgres schema name: ${schema}`);
  }
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({
    connectionString: parsed.toString(),
    max: options.maxConnections ?? 5,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMillis ?? 15_000,
    query_timeout: options.queryTimeoutMillis ?? DEFAULT_QUERY_TIMEOUT_MS,
    // TCP keep-alive probes find a peer that vanished without closing (a dead host, a dropped NAT
    // entry) while a connection sits idle or holds a lock between queries.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Startup parameter, so every connection gets it before its first query.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  const onError = options.onConnectionError ?? (() => {});
  // The pool listens on idle clients only: it removes its listener while a client is checked out
  // (a Kysely query or transaction, the advisory lock held for a whole change), and a connection
  // that dies then would emit an unhandled 'error' and end the process (issue 16 §5). Every client
  // gets a listener of its own for its whole life.
  pool.on('connect', (client) => {
    client.on('error', onError);
    destroyOnQueryTimeout(client);
  });
  pool.on('error', onError);
  return pool;
}

/**
 * pg's query_timeout fails the query but keeps the connection, whose socket still waits for that
 * query's answer: every later query on it would queue behind and time out too. A connection whose
 * query timed out is therefore destroyed, so that the pool drops it (pg-pool removes a client that
 * is no longer queryable when it comes back) and opens a fresh one.
 */
function destroyOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const destroyIfTimedOut = (error: unknown) => {
    if (error instanceof Error && error.message === 'Query read timeout') {
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, ...rest: unknown[]) => {
        destroyIfTimedOut(error);
        (callback as (...values: unknown[]) => void)(error, ...rest);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result instanceof Promise) result.catch(destroyIfTimedOut);
    return result;
  };
}

function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  // Accept sqlite:./x.db, sqlite:/abs/x.db, sqlite:///abs/x.db and sqlite::memory:.
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new TypeError('sqlite URL without a path (use sqlite::memory: or sqlite:./data/audit.db)');
  return path;
}

async function openSqlite(path: string, busyTimeoutMillis: number) {
  // Loaded lazily so that a bundle without the native module (Lambda, Postgres) still starts.
  let Database: typeof import('better-sqlite3');
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new Error('SQLite audit store needs the better-sqlite3 package; install it or use a postgres:// URL', {
      cause: error,
    });
  }
  if (path === ':memory:') return new Database(':memory:');

  await mkdir(dirname(path), { recursive: true });
  const database = new Database(path);
  // WAL lets readers run during a write; busy_timeout makes a second process wait instead of
  // failing at once with SQLITE_BUSY. synchronous=FULL, set explicitly: better-sqlite3's build
  // defaults WAL databases to NORMAL, whose last commits a power cut or an OS crash can lose, and
  // an audit record must be on disk before the AWS call it announces (DESIGN §3).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMillis)}`);
  return database;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
