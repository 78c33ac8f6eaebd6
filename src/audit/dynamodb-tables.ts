// The DynamoDB tables of the audit store (README "Serverless deployment", docs/decisions.md), and
// the start-up check that they exist. Four tables, each named `<prefix>-<name>`:
//
//   <prefix>-audit        key id (S). One item per audit record: the same columns as the SQL
//                         audit_records table (tables.ts), absent instead of NULL; JSON columns
//                         longer than 2 KB are gzipped (binary), so that the record of a bulk apply
//                         of hundreds of routes stays far below DynamoDB's 400 KB item limit.
//                         Global secondary indexes, all sorted by `id` (time-ordered, so newest
//                         first is ScanIndexForward=false), projection ALL:
//                           trail-id   trail (S, always "all")  every record: GET /v1/audit unfiltered
//                           api-id     api_id (S)               ?apiId=
//                           actor-id   actor_id (S)             ?actorId=
//                           pending-id pending (S, "pending")   sparse: only pending records; recovery
//   <prefix>-journal      key change_id (S) + seq (N): the change journal, one item per entry
//                         (`entry_json`), as the SQL change_journal table.
//   <prefix>-idempotency  key caller (S) + key (S); TTL attribute `ttl` (epoch seconds).
//   <prefix>-locks        key api_id (S); TTL attribute `ttl` (epoch seconds). One item per held lock,
//                         and one `budget#<key>` item per shared AWS call budget
//                         (dynamodb-budget-members.ts).
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export interface DynamoDbTableNames {
  audit: string;
  journal: string;
  idempotency: string;
  locks: string;
}

export const AUDIT_INDEXES = {
  trail: 'trail-id',
  api: 'api-id',
  actor: 'actor-id',
  pending: 'pending-id',
} as const;

/** The value of `trail` on every record (the partition of the trail-id index). */
export const TRAIL_ALL = 'all';
/** The value of `pending` while a record is pending (removed when final: a sparse index). */
export const PENDING = 'pending';
/** The TTL attribute of the idempotency and lock tables (epoch seconds, as DynamoDB's TTL wants). */
export const TTL_ATTRIBUTE = 'ttl';

export function tableNames(prefix: string): DynamoDbTableNames {
  return { audit: `${prefix}-audit`, journal: `${prefix}-journal`, idempotency: `${prefix}-idempotency`, locks: `${prefix}-locks` };
}

const byId = (name: string, partition: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: partition, KeyType: 'HASH' as const },
    { AttributeName: 'id', KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/** The CreateTable inputs, on-demand billing; the README's CloudFormation snippet says the same. */
export function tableDefinitions(names: DynamoDbTableNames): CreateTableCommandInput[] {
  return [
    {
      TableName: names.audit,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['id', 'trail', 'api_id', 'actor_id', 'pending'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        byId(AUDIT_INDEXES.trail, 'trail'),
        byId(AUDIT_INDEXES.api, 'api_id'),
        byId(AUDIT_INDEXES.actor, 'actor_id'),
        byId(AUDIT_INDEXES.pending, 'pending'),
      ],
    },
    {
      TableName: names.journal,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'change_id', AttributeType: 'S' },
        { AttributeName: 'seq', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'change_id', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
    },
    {
      TableName: names.idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'caller', AttributeType: 'S' },
        { AttributeName: 'key', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'caller', KeyType: 'HASH' },
        { AttributeName: 'key', KeyType: 'RANGE' },
      ],
    },
    {
      TableName: names.locks,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'api_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'api_id', KeyType: 'HASH' }],
    },
  ];
}

/** Thrown at start-up when a table is missing; its message names every missing table. */
export class MissingTablesError extends Error {
  constructor(readonly tables: string[]) {
    super(
      `DynamoDB audit store: table${tables.length > 1 ? 's' : ''} ${tables.join(', ')} not found; ` +
        'create them (README "Serverless deployment") or add ?createTables=true to GATEWIRE_AUDIT_URL',
    );
    this.name = 'MissingTablesError';
  }
}

/**
 * Checks that every table exists; with `create`, creates the missing ones (and turns TTL on) first.
 * DescribeTable per table, in parallel: four reads at start-up, no writes unless told to create.
 */
export async function ensureTables(client: DynamoDBClient, names: DynamoDbTableNames, options: { create: boolean }): Promise<void> {
  // At once: this is on every cold start's path.
  const definitions = tableDefinitions(names);
  const exists = await Promise.all(definitions.map((definition) => tableExists(client, definition.TableName!)));
  const missing = definitions.filter((_, index) => !exists[index]);
  if (missing.length === 0) return;
  if (!options.create) throw new MissingTablesError(missing.map((definition) => definition.TableName!));
  for (const definition of missing) {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      // Another instance created it at the same moment.
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
    await waitActive(client, definition.TableName!);
    if (definition.TableName === names.idempotency || definition.TableName === names.locks) await enableTtl(client, definition.TableName!);
  }
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

async function waitActive(client: DynamoDBClient, name: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`DynamoDB table ${name} did not become ACTIVE`);
}

async function enableTtl(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  } catch (error) {
    // Local emulators (dynalite) do not implement UpdateTimeToLive; expiry is also enforced by the
    // store's own conditions, so TTL only keeps the table small.
    if ((error as { name?: string }).name !== 'UnknownOperationException') throw error;
  }
}
