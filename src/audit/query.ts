// Turns an AuditQuery into plain comparable values, shared by the Kysely and in-memory stores
// so that both filter and page identically.
import type { AuditQuery, AuditStatus } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';

export const MAX_PAGE_SIZE = 500;

export interface AuditFilter {
  apiId?: string;
  /** `default` matches records with no target (audit/target-filter.ts). */
  target?: string;
  routeKey?: string;
  actorId?: string;
  action?: string;
  status?: AuditStatus;
  statuses?: readonly AuditStatus[];
  fields: 'full' | 'summary' | 'trail';
  /** Inclusive lower bound on occurred_at, ISO-8601 UTC. */
  from?: string;
  /** Exclusive upper bound on occurred_at, ISO-8601 UTC (half-open, so windows tile). */
  to?: string;
  /** Only ids strictly below this one (the previous page's last id). */
  beforeId?: string;
  limit: number;
}

export function toAuditFilter(query: AuditQuery): AuditFilter {
  const violations: { path: string; message: string }[] = [];
  const from = query.from === undefined ? undefined : parseTime(query.from);
  const to = query.to === undefined ? undefined : parseTime(query.to);
  const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (from === null) violations.push({ path: '/from', message: 'must be an ISO-8601 date-time' });
  if (to === null) violations.push({ path: '/to', message: 'must be an ISO-8601 date-time' });
  if (beforeId === null) violations.push({ path: '/cursor', message: 'is not a cursor this service issued' });
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
    violations.push({ path: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (violations.length > 0) {
    return throwValidation(violations);
  }
  const filter: AuditFilter = { limit: query.limit, fields: query.fields ?? 'full' };
  if (query.statuses !== undefined) filter.statuses = query.statuses;
  if (query.apiId !== undefined) filter.apiId = query.apiId;
  if (query.target !== undefined) filter.target = query.target;
  if (query.routeKey !== undefined) filter.routeKey = query.routeKey;
  if (query.actorId !== undefined) filter.actorId = query.actorId;
  if (query.action !== undefined) filter.action = query.action;
  if (query.status !== undefined) filter.status = query.status;
  if (from != null) filter.from = from;
  if (to != null) filter.to = to;
  if (beforeId != null) filter.beforeId = beforeId;
  return filter;
}

/** The cursor is the last id of a page, base64url-encoded so clients treat it as opaque. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string | null {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Buffer decoding is lenient; a cursor we issued re-encodes to itself.
  return id !== '' && encodeCursor(id) === cursor ? id : null;
}

/** ISO-8601 UTC with milliseconds, the one text form stored, so text order is time order. */
export function canonicalTime(value: string): string {
  const time = parseTime(value);
  if (time === null) throw new TypeError(`not an ISO-8601 date-time: ${value}`);
  return time;
}

function parseTime(value: string): string | null {
  // Date.parse alone accepts things like "1" or "March 7"; require an ISO-looking date first.
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function throwValidation(violations: { path: string; message: string }[]): never {
  throw new DomainError('validation', `invalid audit query: ${violations.map((v) => v.path).join(', ')}`, {
    violations,
  });
}

/**
 * Pending records written before changes had leases (no deadline) are taken over only once older
 * than this: no change of those versions ran longer (a Lambda invocation ends at 15 minutes).
 */
export const LEGACY_PENDING_AFTER_MS = 16 * 60_000;

export function legacyCutoff(now: string): string {
  return new Date(Date.parse(now) - LEGACY_PENDING_AFTER_MS).toISOString();
}
