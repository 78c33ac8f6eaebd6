// The per-API lock on DynamoDB (DESIGN §3 step 5): one item per held lock in `<prefix>-locks`,
// taken with a conditional PutItem that succeeds only when no item exists or its lease ran out,
// renewed while the change runs, and deleted (conditionally, by its token) at the end. A holder
// that dies leaves an item whose lease expires: the next instance takes the lock then, and
// DynamoDB's TTL removes the item later. Callers in one instance queue in-process first.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ApiLock } from '../services/ports.js';
import { isConditionFailed } from './dynamodb-store.js';
import { TTL_ATTRIBUTE } from './dynamodb-tables.js';
import { createInProcessLock } from './locks.js';

export interface DynamoDbLockOptions {
  /** How long a lock holds without renewal (a dead holder blocks others this long at most). */
  leaseMs?: number;
  /** How long to wait for another instance's change to the same API before a 409. */
  waitTimeoutMillis?: number;
  /** Between two attempts to take a held lock. */
  pollMs?: number;
  /** At most this many changes to one API wait in this instance's queue (GATEWIRE_LOCK_MAX_WAITERS). */
  maxWaiters?: number;
}

export function createDynamoDbLock(client: DynamoDBClient, table: string, options: DynamoDbLockOptions = {}): ApiLock {
  const documents = DynamoDBDocumentClient.from(client);
  const leaseMs = options.leaseMs ?? 15_000;
  const waitMillis = options.waitTimeoutMillis ?? 30_000;
  const pollMs = options.pollMs ?? 50;
  // The in-process queue and the conditional writes share one bound: what the queue took is not
  // waited again on DynamoDB.
  const local = createInProcessLock({ waitMillis, ...(options.maxWaiters !== undefined ? { maxWaiters: options.maxWaiters } : {}) });

  const lockItem = (apiId: string, token: string) => {
    const expiresAt = Date.now() + leaseMs;
    return { api_id: apiId, owner: token, expires_at: expiresAt, [TTL_ATTRIBUTE]: Math.ceil(expiresAt / 1000) + 60 };
  };

  /** One attempt: true when this token now holds the lock. */
  async function tryTake(apiId: string, token: string): Promise<boolean> {
    try {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: lockItem(apiId, token),
          ConditionExpression: 'attribute_not_exists(api_id) OR expires_at < :now',
          ExpressionAttributeValues: { ':now': Date.now() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async function take(apiId: string, token: string, giveUpAt: number): Promise<void> {
    let wait = pollMs;
    for (;;) {
      if (await tryTake(apiId, token)) return;
      if (Date.now() >= giveUpAt) {
        throw new DomainError('conflict', `another change to API ${apiId} is still running; retry later`);
      }
      // Jittered backoff up to 1 s: two instances waiting for one API do not poll in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, giveUpAt - Date.now())) * (0.5 + Math.random() / 2)));
      wait = Math.min(wait * 2, 1_000);
    }
  }

  async function renew(apiId: string, token: string): Promise<void> {
    const item = lockItem(apiId, token);
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { api_id: apiId },
        UpdateExpression: 'SET expires_at = :expires, #ttl = :ttl',
        ConditionExpression: '#owner = :token',
        ExpressionAttributeNames: { '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':expires': item.expires_at, ':ttl': item[TTL_ATTRIBUTE], ':token': token },
      }),
    );
  }

  async function release(apiId: string, token: string): Promise<void> {
    try {
      await documents.send(
        new DeleteCommand({
          TableName: table,
          Key: { api_id: apiId },
          ConditionExpression: '#owner = :token',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch {
      // Not ours any more, or DynamoDB did not answer: the lease runs out on its own. The work's
      // own outcome stands.
    }
  }

  return {
    withLock: (apiId, work) => {
      const giveUpAt = Date.now() + waitMillis;
      return local.withLock(apiId, async () => {
        const token = randomBytes(12).toString('hex');
        try {
          await take(apiId, token, giveUpAt);
        } catch (error) {
          if (isDomainError(error)) throw error;
          throw new DomainError('audit-unavailable', `could not take the lock of API ${apiId}`, { cause: error });
        }
        // Renewed at a third of the lease, so one missed renewal does not lose it.
        const renewal = setInterval(() => void renew(apiId, token).catch(() => {}), Math.max(1, Math.floor(leaseMs / 3)));
        renewal.unref();
        try {
          return await work();
        } finally {
          clearInterval(renewal);
          await release(apiId, token);
        }
      });
    },
  };
}
