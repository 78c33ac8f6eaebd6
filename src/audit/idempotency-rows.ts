// Idempotency entry <-> idempotency_keys row. Shared by the Kysely store and the in-memory store,
// so both round-trip alike (the response as JSON text, SQL NULL for none).
import type { IdempotencyEntry, StoredResponse } from '../services/ports.js';
import type { IdempotencyKeysTable } from './tables.js';

export function entryToRow(entry: IdempotencyEntry): IdempotencyKeysTable {
  return {
    caller: entry.caller,
    key: entry.key,
    request_hash: entry.requestHash,
    status: entry.status,
    response_json: entry.response === undefined ? null : responseToJson(entry.response),
    created_at: entry.createdAt,
    expires_at: entry.expiresAt,
  };
}

export function rowToEntry(row: IdempotencyKeysTable): IdempotencyEntry {
  return {
    caller: row.caller,
    key: row.key,
    requestHash: row.request_hash,
    status: row.status === 'completed' ? 'completed' : 'in_progress',
    ...(row.response_json === null ? {} : { response: JSON.parse(row.response_json) as StoredResponse }),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function responseToJson(response: StoredResponse): string {
  return JSON.stringify({
    status: response.status,
    ...(response.contentType === undefined ? {} : { contentType: response.contentType }),
    ...(response.headers === undefined ? {} : { headers: response.headers }),
    body: response.body,
  });
}
