// BudgetMembers on DynamoDB: one item per budget in the `<prefix>-locks` table, keyed
// `budget#<key>` (API ids never contain `#`), with one attribute per instance holding its expiry
// (epoch ms). A beat is one UpdateItem that sets the instance's attribute, removes the ones it saw
// expired last time, and returns the item: the live attributes are the members. No TTL attribute:
// the item stays while the budget is used, and is a few bytes per instance.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetMembers } from '../services/ports.js';
import { guard } from './guard.js';

const MEMBER = 'member:';

export function createDynamoDbBudgetMembers(client: DynamoDBClient, table: string): BudgetMembers {
  const documents = DynamoDBDocumentClient.from(client);
  // Per budget: the members the last beat saw expired, removed by the next one.
  const expired = new Map<string, string[]>();
  const itemKey = (key: string) => ({ api_id: `budget#${key}` });
  return {
    beat: (key, instance, now, expiresAt) =>
      guard('renew the instance in its AWS budget', async () => {
        const me = `${MEMBER}${instance}`;
        const stale = (expired.get(key) ?? []).filter((name) => name !== me);
        const names: Record<string, string> = { '#me': me };
        stale.forEach((name, i) => (names[`#x${i}`] = name));
        const remove = stale.length > 0 ? ` REMOVE ${stale.map((_, i) => `#x${i}`).join(', ')}` : '';
        const result = await documents.send(
          new UpdateCommand({
            TableName: table,
            Key: itemKey(key),
            UpdateExpression: `SET #me = :expires${remove}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':expires': expiresAt.getTime() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        let live = 0;
        const seenExpired: string[] = [];
        for (const [name, value] of Object.entries(result.Attributes ?? {})) {
          if (!name.startsWith(MEMBER)) continue;
          if (typeof value === 'number' && value > now.getTime()) live += 1;
          else seenExpired.push(name);
        }
        expired.set(key, seenExpired);
        return Math.max(1, live);
      }),
    leave: (key, instance) =>
      guard('leave the AWS budget', async () => {
        await documents.send(
          new UpdateCommand({
            TableName: table,
            Key: itemKey(key),
            UpdateExpression: 'REMOVE #me',
            ExpressionAttributeNames: { '#me': `${MEMBER}${instance}` },
          }),
        );
      }),
  };
}
