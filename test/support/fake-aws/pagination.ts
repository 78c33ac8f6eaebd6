import { badRequest } from './errors.js';

/** API Gateway's list page size when `maxResults` is absent; 300 routes therefore take several pages. */
export const DEFAULT_PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `all`. `maxResults` arrives as a *string* query parameter (reference §1), and the
 * token is opaque to clients, so it encodes the offset; a token this fake did not issue is a 400.
 */
export function paginate<T>(all: readonly T[], query: Record<string, string>): Page<T> {
  const pageSize = parseMaxResults(query.maxResults);
  const offset = query.nextToken === undefined ? 0 : parseNextToken(query.nextToken);
  const items = all.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < all.length ? { items, nextToken: encodeToken(next) } : { items };
}

function parseMaxResults(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < 1) throw badRequest(`Invalid maxResults specified: ${raw}`);
  return size;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function parseNextToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid pagination token specified');
}
