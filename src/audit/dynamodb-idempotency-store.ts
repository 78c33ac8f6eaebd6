// IdempotencyStore over DynamoDB (`<prefix>-idempotency`, key caller + key). Each method is one
// conditional write, the DynamoDB form of the SQL store's compare-and-set on (caller, key, status,
// created_at). Rows carry `ttl` (expiresAt in epoch seconds) so DynamoDB's TTL removes them;
// deleteExpired() still deletes the ones whose time is up, since TTL may lag by days.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyStore } from '../services/ports.js';
import { isConditionFailed } from './dynamodb-store.js';
import { TTL_ATTRIBUTE } from './dynamodb-tables.js';
import { guard } from './guard.js';
import { entryToRow, responseToJson, rowToEntry } from './idempotency-rows.js';
import type { IdempotencyKeysTable } from './tables.js';

/** The claim still holds the row: same status and createdAt (its token). */
const SAME_CLAIM = '#status = :status AND created_at = :createdAt';
const STATUS = { '#status': 'status' };

export function createDynamoDbIdempotencyStore(client: DynamoDBClient, table: string): IdempotencyStore {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  /** True when the conditional write happened, false when its condition did not hold. */
  async function conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  return {
    insertIfAbsent: (entry) =>
      guard('claim the idempotency key', () =>
        conditional(() =>
          documents.send(new PutCommand({ TableName: table, Item: rowToItem(entryToRow(entry)), ConditionExpression: 'attribute_not_exists(caller)' })),
        ),
      ),

    find: (caller, key) =>
      guard('read the idempotency key', async () => {
        const { Item: item } = await documents.send(new GetCommand({ TableName: table, Key: { caller, key }, ConsistentRead: true }));
        return item === undefined ? undefined : rowToEntry(itemToRow(item));
      }),

    replace: (current, next) =>
      guard('take over the idempotency key', () =>
        conditional(() =>
          documents.send(
            new PutCommand({
              TableName: table,
              Item: rowToItem(entryToRow(next)),
              ConditionExpression: SAME_CLAIM,
              ExpressionAttributeNames: STATUS,
              ExpressionAttributeValues: { ':status': current.status, ':createdAt': current.createdAt },
            }),
          ),
        ),
      ),

    complete: (claim, response) =>
      guard('store the idempotent response', () =>
        conditional(() =>
          documents.send(
            new UpdateCommand({
              TableName: table,
              Key: { caller: claim.caller, key: claim.key },
              UpdateExpression: 'SET #status = :completed, response_json = :response',
              ConditionExpression: SAME_CLAIM,
              ExpressionAttributeNames: STATUS,
              ExpressionAttributeValues: {
                ':completed': 'completed',
                ':response': responseToJson(response),
                ':status': 'in_progress',
                ':createdAt': claim.createdAt,
              },
            }),
          ),
        ),
      ),

    release: (claim) =>
      guard('release the idempotency key', () =>
        conditional(() =>
          documents.send(
            new DeleteCommand({
              TableName: table,
              Key: { caller: claim.caller, key: claim.key },
              ConditionExpression: SAME_CLAIM,
              ExpressionAttributeNames: STATUS,
              ExpressionAttributeValues: { ':status': 'in_progress', ':createdAt': claim.createdAt },
            }),
          ),
        ),
      ),

    deleteExpired: (now) =>
      guard('delete expired idempotency keys', async () => {
        const at = now.toISOString();
        let deleted = 0;
        let start: Record<string, unknown> | undefined;
        do {
          const page = await documents.send(
            new ScanCommand({
              TableName: table,
              FilterExpression: 'expires_at <= :now',
              ProjectionExpression: 'caller, #key, expires_at',
              ExpressionAttributeNames: { '#key': 'key' },
              ExpressionAttributeValues: { ':now': at },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of page.Items ?? []) {
            // Only if still expired: a row replaced meanwhile by a new claim stays.
            const removed = await conditional(() =>
              documents.send(
                new DeleteCommand({
                  TableName: table,
                  Key: { caller: item['caller'], key: item['key'] },
                  ConditionExpression: 'expires_at <= :now',
                  ExpressionAttributeValues: { ':now': at },
                }),
              ),
            );
            if (removed) deleted += 1;
          }
          start = page.LastEvaluatedKey;
        } while (start !== undefined);
        return deleted;
      }),
  };
}

function rowToItem(row: IdempotencyKeysTable): Record<string, unknown> {
  const { response_json: response, ...rest } = row;
  return {
    ...rest,
    ...(response === null ? {} : { response_json: response }),
    [TTL_ATTRIBUTE]: Math.ceil(Date.parse(row.expires_at) / 1000),
  };
}

function itemToRow(item: Record<string, unknown>): IdempotencyKeysTable {
  return {
    caller: String(item['caller']),
    key: String(item['key']),
    request_hash: String(item['request_hash']),
    status: String(item['status']),
    response_json: typeof item['response_json'] === 'string' ? item['response_json'] : null,
    created_at: String(item['created_at']),
    expires_at: String(item['expires_at']),
  };
}
