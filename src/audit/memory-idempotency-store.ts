// An IdempotencyStore in memory, paired with the in-memory audit store in tests. It keeps the
// same rows as the database (through idempotency-rows.ts) and the same compare-and-set rules, and
// every method is async like a database call; the store contract suite holds both to one behaviour.
import { DomainError } from '../domain/errors.js';
import type { IdempotencyStore } from '../services/ports.js';
import { entryToRow, responseToJson, rowToEntry } from './idempotency-rows.js';
import type { IdempotencyKeysTable } from './tables.js';

export interface MemoryIdempotencyStore extends IdempotencyStore {
  /** Fault switch: while on, every call fails as a down database would (audit-unavailable). */
  setUnavailable(unavailable: boolean): void;
  /** How many rows the store holds, for assertions. */
  size(): number;
}

export function createMemoryIdempotencyStore(): MemoryIdempotencyStore {
  const rows = new Map<string, IdempotencyKeysTable>();
  let unavailable = false;
  const id = (caller: string, key: string) => JSON.stringify([caller, key]);

  async function available(what: string): Promise<void> {
    if (unavailable) {
      throw new DomainError('audit-unavailable', `audit store unavailable: could not ${what}`, {
        cause: new Error('the fault switch is on'),
      });
    }
  }

  /** The row of (caller, key) when it is still exactly the one with this status and createdAt. */
  function sameRow(caller: string, key: string, status: string, createdAt: string): IdempotencyKeysTable | undefined {
    const row = rows.get(id(caller, key));
    return row !== undefined && row.status === status && row.created_at === createdAt ? row : undefined;
  }

  return {
    async insertIfAbsent(entry) {
      await available('claim the idempotency key');
      if (rows.has(id(entry.caller, entry.key))) return false;
      rows.set(id(entry.caller, entry.key), entryToRow(entry));
      return true;
    },

    async find(caller, key) {
      await available('read the idempotency key');
      const row = rows.get(id(caller, key));
      return row === undefined ? undefined : rowToEntry(row);
    },

    async replace(current, next) {
      await available('take over the idempotency key');
      if (!sameRow(current.caller, current.key, current.status, current.createdAt)) return false;
      rows.set(id(current.caller, current.key), { ...entryToRow(next), caller: current.caller, key: current.key });
      return true;
    },

    async complete(claim, response) {
      await available('store the idempotent response');
      const row = sameRow(claim.caller, claim.key, 'in_progress', claim.createdAt);
      if (!row) return false;
      rows.set(id(claim.caller, claim.key), { ...row, status: 'completed', response_json: responseToJson(response) });
      return true;
    },

    async release(claim) {
      await available('release the idempotency key');
      if (!sameRow(claim.caller, claim.key, 'in_progress', claim.createdAt)) return false;
      rows.delete(id(claim.caller, claim.key));
      return true;
    },

    async deleteExpired(now) {
      await available('delete expired idempotency keys');
      const at = now.toISOString();
      let count = 0;
      for (const [name, row] of rows) {
        if (row.expires_at <= at) {
          rows.delete(name);
          count += 1;
        }
      }
      return count;
    },

    setUnavailable(value) {
      unavailable = value;
    },

    size: () => rows.size,
  };
}
