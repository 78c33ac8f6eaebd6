// AuditStore over DynamoDB (tables in dynamodb-tables.ts). The same row mapping as the SQL stores
// (row-mapping.ts), so records round-trip identically; every state change of a record is one
// conditional UpdateItem on its item, which makes pending -> final a compare-and-set. Journal
// entries are items of their own (`<prefix>-journal`), written only after a conditional write on
// the record proved (and extended) the writer's lease: nobody can take the change over before that
// lease runs out, so an entry never lands from an instance that lost the change. DynamoDB failures
// (down, throttled after the SDK's retries) become DomainError('audit-unavailable') through guard().
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { JournalEntry } from '../domain/journal.js';
import type { AuditStore, Clock, PendingChangeRef } from '../services/ports.js';
import { AUDIT_INDEXES, PENDING, TRAIL_ALL } from './dynamodb-tables.js';
import { guard } from './guard.js';
import { canonicalTime, encodeCursor, legacyCutoff, toAuditFilter, type AuditFilter } from './query.js';
import { storedTarget } from './target-filter.js';
import { finalToRowUpdate, pendingToRow, rowToRecord } from './row-mapping.js';
import type { AuditRecordsTable } from './tables.js';

export interface DynamoDbAuditStoreOptions {
  /** The `<prefix>-audit` table. */
  table: string;
  /** The `<prefix>-journal` table. */
  journalTable: string;
  clock?: Clock;
  /** Called by close() (the composition root closes the client once, after every store). */
  onClose?: () => Promise<void> | void;
}

type Item = Record<string, unknown>;

/** Every column of a record row, in the order of tables.ts; the journal is read by get() only. */
const ROW_COLUMNS = [
  'id',
  'occurred_at',
  'actor_id',
  'actor_kind',
  'request_id',
  'idempotency_key',
  'action',
  'api_id',
  'route_key',
  'integration_id',
  'status',
  'request_json',
  'plan_json',
  'before_json',
  'after_json',
  'aws_calls_json',
  'error_json',
  'leftovers_json',
  'duration_ms',
  'finalized_at',
  'owner',
  'lease_expires_at',
  'deadline_at',
  'result_json',
  'known_json',
  'target',
] as const satisfies readonly (keyof AuditRecordsTable)[];

/** How many items one Query page reads while filtering (DynamoDB filters after reading). */
const QUERY_PAGE = 200;

export function createDynamoDbAuditStore(client: DynamoDBClient, options: DynamoDbAuditStoreOptions): AuditStore {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const clock = options.clock ?? { now: () => new Date() };
  const table = options.table;
  const journalTable = options.journalTable;
  let closed: Promise<void> | undefined;

  /** guard(), plus: a closed store answers like a down one. */
  const run = <T>(what: string, work: () => Promise<T>) =>
    guard(what, async () => {
      if (closed !== undefined) throw new Error('the DynamoDB audit store is closed');
      return work();
    });

  /** A conditional update; false when its condition did not hold. */
  async function update(expression: Expression, key: string): Promise<boolean> {
    try {
      await documents.send(new UpdateCommand({ TableName: table, Key: { id: key }, ...expression.build() }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * A conditional update of the pending record `owner` owns: `set`/`remove` (or, with neither, a
   * write that changes nothing and only proves ownership). False when it is not the owner's.
   */
  function ownedUpdate(id: string, owner: string | undefined, set: Item, remove: string[] = []): Promise<boolean> {
    const expression = new Expression();
    for (const [name, value] of Object.entries(set)) expression.set(name, value);
    for (const name of remove) expression.remove(name);
    if (Object.keys(set).length === 0 && remove.length === 0) expression.set('status', PENDING);
    let condition = `${expression.name('status')} = ${expression.value(PENDING)}`;
    if (owner !== undefined) condition += ` AND ${expression.name('owner')} = ${expression.value(owner)}`;
    expression.condition(condition);
    return update(expression, id);
  }

  /**
   * Journal entries as items. A seq written twice with another entry fails (audit-unavailable), as
   * the SQL primary key does; the same entry again (the SDK resending a write whose answer was
   * lost) is accepted.
   */
  async function putEntries(id: string, entries: readonly JournalEntry[]): Promise<void> {
    await Promise.all(
      entries.map((entry) => {
        const text = JSON.stringify(entry);
        return documents.send(
          new PutCommand({
            TableName: journalTable,
            Item: { change_id: id, seq: entry.seq, entry_json: text },
            ConditionExpression: 'attribute_not_exists(seq) OR entry_json = :same',
            ExpressionAttributeValues: { ':same': text },
          }),
        );
      }),
    );
  }

  async function readJournal(id: string): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new QueryCommand({
          TableName: journalTable,
          KeyConditionExpression: 'change_id = :id',
          ExpressionAttributeValues: { ':id': id },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push(JSON.parse(String(item['entry_json'])) as JournalEntry);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }

  async function readRow(id: string): Promise<AuditRecordsTable | undefined> {
    const { Item: item } = await documents.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }));
    return item === undefined ? undefined : itemToRow(item);
  }

  /** Query pages until `want` items pass `accept` (or the index is exhausted). */
  async function queryAll(input: QueryCommandInput, want: number, accept: (row: AuditRecordsTable) => boolean = () => true) {
    const rows: AuditRecordsTable[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new QueryCommand({ ...input, Limit: QUERY_PAGE, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) {
        const row = itemToRow(item);
        if (accept(row)) rows.push(row);
        if (rows.length >= want) return rows;
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return rows;
  }

  /** The pending records (the sparse pending-id index), oldest first. */
  const pendingQuery = (): QueryCommandInput => ({
    TableName: table,
    IndexName: AUDIT_INDEXES.pending,
    KeyConditionExpression: '#p = :p',
    ExpressionAttributeNames: { '#p': 'pending' },
    ExpressionAttributeValues: { ':p': PENDING },
    ScanIndexForward: true,
  });

  return {
    appendPending: (record) =>
      run('append the pending audit record', async () => {
        const row = pendingToRow(record);
        // A duplicate id fails as a primary-key violation does in SQL: audit-unavailable.
        await documents.send(
          new PutCommand({ TableName: table, Item: rowToItem(row), ConditionExpression: 'attribute_not_exists(id)' }),
        );
      }),

    appendJournal: (id, lease, entries) =>
      run('commit the change journal', async () => {
        // The lease first: once renewed under the owner's condition, nobody takes the change over
        // before the entries are written.
        if (!(await ownedUpdate(id, lease.owner, { lease_expires_at: canonicalTime(lease.expiresAt) }))) throw leaseLost(id);
        await putEntries(id, entries);
      }),

    renewLease: (id, lease) =>
      run('renew the change lease', async () => {
        if (!(await ownedUpdate(id, lease.owner, { lease_expires_at: canonicalTime(lease.expiresAt) }))) throw leaseLost(id);
      }),

    releaseLease: (id, owner, entries) =>
      run('hand the change over', async () => {
        // The hand-over entries must be there before anyone may take the change over.
        if (entries.length > 0) {
          if (!(await ownedUpdate(id, owner, {}))) throw leaseLost(id);
          await putEntries(id, entries);
        }
        if (!(await ownedUpdate(id, owner, {}, ['owner', 'lease_expires_at']))) throw leaseLost(id);
      }),

    takeOver: (id, lease, now) =>
      run('take the change over', async () => {
        const expression = new Expression();
        expression.set('owner', lease.owner).set('lease_expires_at', canonicalTime(lease.expiresAt));
        // Released, expired, legacy and old, or its own (as audit/store.ts `takeable`).
        expression.condition(
          `${expression.name('status')} = ${expression.value(PENDING)} AND (${takeableCondition(expression, now.toISOString())} OR ${expression.name('owner')} = ${expression.value(lease.owner)})`,
        );
        return update(expression, id);
      }),

    listTakeable: (now, limit) =>
      run('list changes to take over', async () => {
        const at = now.toISOString();
        const rows = await queryAll(pendingQuery(), limit, (row) => isTakeable(row, at));
        return rows.map(toPendingRef);
      }),

    listPending: (apiId) =>
      run('list pending changes', async () => {
        const rows = await queryAll(pendingQuery(), Number.POSITIVE_INFINITY, (row) => row.api_id === apiId);
        return rows.map(toPendingRef);
      }),

    finalize: (id, final, finalizeOptions = {}) =>
      run('finalize the audit record', async () => {
        const changes = finalToRowUpdate(final, clock.now());
        const journal = finalizeOptions.journal ?? [];
        // The last entries go in while the record is still pending (and the writer's, when it says
        // whose it is), so a final record always has its whole journal.
        const ready = journal.length === 0 || (await ownedUpdate(id, finalizeOptions.owner, {}));
        if (ready) {
          await putEntries(id, journal);
          const set: Item = {};
          const remove: string[] = ['pending']; // leaves the sparse pending index
          for (const [name, value] of Object.entries(changes)) {
            if (value === null) remove.push(name);
            else set[name] = compressed(name, value);
          }
          // status = pending: finalised once; owner: not by an instance that lost the change.
          if (await ownedUpdate(id, finalizeOptions.owner, set, remove)) return;
        }
        const current = await readRow(id);
        if (current === undefined) throw new DomainError('not-found', `audit record ${id} does not exist`);
        if (current.status === 'pending') throw leaseLost(id);
        throw new DomainError('conflict', `audit record ${id} is already ${current.status}; it is finalised once`);
      }),

    get: (id) =>
      run('read the audit record', async () => {
        const [row, journal] = await Promise.all([readRow(id), readJournal(id)]);
        if (row === undefined) return undefined;
        const record: AuditRecord = rowToRecord(row);
        return journal.length > 0 ? { ...record, journal } : record;
      }),

    list: (query) => {
      let filter: AuditFilter;
      try {
        filter = toAuditFilter(query);
      } catch (error) {
        return Promise.reject(error);
      }
      return run('list audit records', async () => {
        const rows = await queryAll(listQuery(table, filter), filter.limit + 1, (row) => matches(row, filter));
        // One extra row tells whether another page exists, so the last page has no cursor.
        const items = rows.slice(0, filter.limit).map(rowToRecord);
        const last = items.at(-1);
        return rows.length > filter.limit && last !== undefined ? { items, nextCursor: encodeCursor(last.id) } : { items };
      });
    },

    ping: () =>
      run('reach the audit database', async () => {
        // A key that never exists: one cheap, consistent read of the audit table.
        await documents.send(new GetCommand({ TableName: table, Key: { id: '~ping' } }));
      }),

    close() {
      closed ??= Promise.resolve(options.onClose?.()).then(() => undefined);
      return closed;
    },
  };
}

/**
 * The query for one page of GET /v1/audit: the narrowest index for the filters, newest first,
 * below the cursor; the remaining filters are checked by matches() on each item read.
 */
function listQuery(table: string, filter: AuditFilter): QueryCommandInput {
  const [index, attribute, value] =
    filter.apiId !== undefined && filter.apiId !== ''
      ? [AUDIT_INDEXES.api, 'api_id', filter.apiId]
      : filter.actorId !== undefined && filter.actorId !== ''
        ? [AUDIT_INDEXES.actor, 'actor_id', filter.actorId]
        : filter.status === 'pending'
          ? [AUDIT_INDEXES.pending, 'pending', PENDING]
          : [AUDIT_INDEXES.trail, 'trail', TRAIL_ALL];
  const names: Record<string, string> = { '#k': attribute };
  const values: Record<string, unknown> = { ':k': value };
  let key = '#k = :k';
  if (filter.beforeId !== undefined) {
    names['#id'] = 'id';
    values[':before'] = filter.beforeId;
    key += ' AND #id < :before';
  }
  const projection = ROW_COLUMNS.map((column, index) => {
    names[`#c${index}`] = column;
    return `#c${index}`;
  });
  return {
    TableName: table,
    IndexName: index,
    KeyConditionExpression: key,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ProjectionExpression: projection.join(', '),
    ScanIndexForward: false,
  };
}

/** Collects an UpdateItem's SET/REMOVE clauses, condition and placeholders. */
class Expression {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private conditionText: string | undefined;
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${(this.count += 1)}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown, expression?: (valuePlaceholder: string) => string): this {
    const placeholder = this.value(value);
    this.sets.push(`${this.name(attribute)} = ${expression ? expression(placeholder) : placeholder}`);
    return this;
  }

  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }

  condition(text: string): this {
    this.conditionText = text;
    return this;
  }

  build() {
    const clauses = [this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '', this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    return {
      UpdateExpression: clauses,
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
      ...(this.conditionText === undefined ? {} : { ConditionExpression: this.conditionText }),
    };
  }
}

/** The condition form of isTakeable(): released, expired, or legacy and old. */
function takeableCondition(expression: Expression, now: string): string {
  const owner = expression.name('owner');
  const deadline = expression.name('deadline_at');
  return (
    `((attribute_not_exists(${owner}) AND attribute_exists(${deadline})) OR ` +
    `${expression.name('lease_expires_at')} < ${expression.value(now)} OR ` +
    `(attribute_not_exists(${deadline}) AND ${expression.name('occurred_at')} < ${expression.value(legacyCutoff(now))}))`
  );
}

function isTakeable(row: AuditRecordsTable, now: string): boolean {
  if (row.status !== 'pending') return false;
  if (row.owner === null && row.deadline_at !== null) return true;
  if (row.lease_expires_at !== null && row.lease_expires_at < now) return true;
  return row.deadline_at === null && row.occurred_at < legacyCutoff(now);
}

function matches(row: AuditRecordsTable, filter: AuditFilter): boolean {
  return (
    (filter.apiId === undefined || row.api_id === filter.apiId) &&
    (filter.target === undefined || row.target === storedTarget(filter.target)) &&
    (filter.routeKey === undefined || row.route_key === filter.routeKey) &&
    (filter.actorId === undefined || row.actor_id === filter.actorId) &&
    (filter.action === undefined || row.action === filter.action) &&
    (filter.status === undefined || row.status === filter.status) &&
    (filter.from === undefined || row.occurred_at >= filter.from) &&
    (filter.to === undefined || row.occurred_at < filter.to) &&
    (filter.beforeId === undefined || row.id < filter.beforeId)
  );
}

/** JSON columns past this many characters are stored gzipped (JSON of plans and calls shrinks ~10x). */
const COMPRESS_FROM = 2_048;

/** The value to store for `column`: long JSON text as gzip bytes (a binary attribute). */
function compressed(column: string, value: unknown): unknown {
  return column.endsWith('_json') && typeof value === 'string' && value.length > COMPRESS_FROM ? gzipSync(value) : value;
}

/** A row as an item: NULL columns are left out (REMOVEd on update), plus the index keys. */
function rowToItem(row: AuditRecordsTable): Item {
  const item: Item = { trail: TRAIL_ALL };
  for (const column of ROW_COLUMNS) {
    const value = row[column];
    // Index key attributes may not be empty strings; an empty one only leaves that index.
    if (value !== null && !(value === '' && (column === 'api_id' || column === 'actor_id'))) item[column] = compressed(column, value);
  }
  if (row.status === 'pending') item['pending'] = PENDING;
  return item;
}

function itemToRow(item: Item): AuditRecordsTable {
  const row = {} as Record<string, unknown>;
  for (const column of ROW_COLUMNS) {
    const value = item[column] ?? null;
    row[column] = value instanceof Uint8Array ? gunzipSync(value).toString('utf8') : value;
  }
  for (const column of ['api_id', 'actor_id'] as const) row[column] ??= '';
  if (row['duration_ms'] !== null) row['duration_ms'] = Number(row['duration_ms']);
  return row as unknown as AuditRecordsTable;
}

function toPendingRef(row: AuditRecordsTable): PendingChangeRef {
  return {
    id: row.id,
    apiId: row.api_id,
    // `?? null`: items written before targets have no target attribute.
    ...((row.target ?? null) !== null ? { target: row.target! } : {}),
    ...(row.owner !== null && row.lease_expires_at !== null ? { lease: { owner: row.owner, expiresAt: row.lease_expires_at } } : {}),
  };
}

function leaseLost(id: string): DomainError {
  return new DomainError('lease-lost', `change ${id} is no longer this instance's: another instance took it over, or it is final`);
}

export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
