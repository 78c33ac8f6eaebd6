// Opens the DynamoDB audit store named by GATEWIRE_AUDIT_URL:
//
//   dynamodb://<table-prefix>[?region=<region>][&createTables=true]
//
// The tables are `<prefix>-audit`, `<prefix>-journal`, `<prefix>-idempotency` and `<prefix>-locks`
// (dynamodb-tables.ts). `region` defaults to AWS_REGION; the endpoint is AWS_ENDPOINT_URL_DYNAMODB,
// else AWS_ENDPOINT_URL, else AWS's own. A missing table is an error naming it, unless
// `createTables=true` (tests, local development) says to create it. This module is the only one
// that imports the DynamoDB client; dependencies.ts loads it with a dynamic import, so the Lambda
// bundle carries the client in a chunk of its own, loaded only when this store is selected.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { ApiLock, AuditStore, BudgetMembers, IdempotencyStore } from '../services/ports.js';
import { createDynamoDbBudgetMembers } from './dynamodb-budget-members.js';
import { createDynamoDbIdempotencyStore } from './dynamodb-idempotency-store.js';
import { createDynamoDbLock, type DynamoDbLockOptions } from './dynamodb-lock.js';
import { createDynamoDbAuditStore } from './dynamodb-store.js';
import { ensureTables, tableNames, type DynamoDbTableNames } from './dynamodb-tables.js';

export interface DynamoDbUrl {
  prefix: string;
  region: string | undefined;
  createTables: boolean;
}

// DynamoDB table names allow [A-Za-z0-9_.-], 3–255 characters; the longest suffix is 12.
const PREFIX = /^[A-Za-z0-9_.-]{1,200}$/;

export function parseDynamoDbUrl(url: string): DynamoDbUrl {
  if (!url.startsWith('dynamodb://')) throw new TypeError(`not a dynamodb:// URL: ${url}`);
  // The prefix is the "host"; URL lower-cases hosts, so take it from the text itself.
  const prefix = url.slice('dynamodb://'.length).split(/[/?#]/, 1)[0] ?? '';
  if (!PREFIX.test(prefix)) {
    throw new TypeError(`invalid DynamoDB table prefix "${prefix}" in GATEWIRE_AUDIT_URL (letters, digits, _ . - only)`);
  }
  const parsed = new URL(url);
  const known = new Set(['region', 'createTables']);
  const unknown = [...parsed.searchParams.keys()].filter((key) => !known.has(key));
  if (unknown.length > 0) throw new TypeError(`unknown parameter(s) in the dynamodb:// URL: ${unknown.join(', ')}`);
  const createTables = parsed.searchParams.get('createTables');
  if (createTables !== null && createTables !== 'true' && createTables !== 'false') {
    throw new TypeError('createTables in the dynamodb:// URL must be true or false');
  }
  return { prefix, region: parsed.searchParams.get('region') ?? undefined, createTables: createTables === 'true' };
}

export interface OpenDynamoDbOptions {
  /** AWS_REGION, used when the URL names none. */
  region: string;
  /** AWS_ENDPOINT_URL_DYNAMODB ?? AWS_ENDPOINT_URL. */
  endpoint?: string | undefined;
  /** Tests: static dummy credentials for dynalite; production uses the SDK's default chain. */
  credentials?: AwsCredentialIdentity;
  lock?: DynamoDbLockOptions;
  /** Per-call bound: a DynamoDB that does not answer fails the change closed quickly. */
  requestTimeoutMs?: number;
}

export interface DynamoDbAudit {
  store: AuditStore;
  lock: ApiLock;
  idempotency: IdempotencyStore;
  /** The instances sharing an AWS call budget: items in the locks table (dynamodb-budget-members.ts). */
  budget: BudgetMembers;
  tables: DynamoDbTableNames;
  close(): Promise<void>;
}

export async function openDynamoDbAudit(url: string, options: OpenDynamoDbOptions): Promise<DynamoDbAudit> {
  const settings = parseDynamoDbUrl(url);
  const client = new DynamoDBClient({
    region: settings.region ?? options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Throttling and 5xx are retried a few times by the SDK; past that the change gets a 503.
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: options.requestTimeoutMs ?? 5_000,
      throwOnRequestTimeout: true,
    }),
  });
  const tables = tableNames(settings.prefix);
  try {
    await ensureTables(client, tables, { create: settings.createTables });
  } catch (error) {
    client.destroy();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.resolve().then(() => client.destroy()));
  const store = createDynamoDbAuditStore(client, { table: tables.audit, journalTable: tables.journal, onClose: close });
  return {
    store,
    lock: createDynamoDbLock(client, tables.locks, options.lock),
    idempotency: createDynamoDbIdempotencyStore(client, tables.idempotency),
    budget: createDynamoDbBudgetMembers(client, tables.locks),
    tables,
    close: () => store.close(),
  };
}
