// Runs the built Lambda bundle the way the Lambda runtime does: a fresh `node` process that
// imports index.mjs (init: config, migrations, app.ready()) and calls `handler(event, context)`.
// Used by scripts/check-lambda-bundle.mjs (CI) and bench/cold-start.ts.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

// The child: import the bundle from its own folder, answer each event, one JSON line per answer.
const CHILD = `
const events = JSON.parse(process.argv[1]);
const { handler } = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
const context = { awsRequestId: 'check', functionName: 'gatewire', getRemainingTimeInMillis: () => 30000 };
for (const event of events) {
  const line = JSON.stringify(await handler(event, context)) + '\\n';
  // Flushed before exit: a pipe is written asynchronously, and exit() would cut a large answer.
  await new Promise((resolve) => process.stdout.write(line, resolve));
}
process.exit(0);
`;

/**
 * @param {{ dir: string, events: object[], env: Record<string, string> }} options
 * @returns {Promise<{ code: number | null, stderr: string, responses: any[], firstResponseMs: number | undefined }>}
 *   firstResponseMs: from spawning the process to the first answer on its stdout (a cold start).
 */
export function invokeBundle({ dir, events, env }) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify(events)], {
    cwd: dir,
    // Nothing of this process's environment but PATH: the bundle gets what a function would.
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let firstResponseMs;
  child.stdout.on('data', (chunk) => {
    firstResponseMs ??= performance.now() - started;
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const responses = [];
      for (const line of stdout.split('\n').filter(Boolean)) {
        try {
          responses.push(JSON.parse(line));
        } catch {
          responses.push({ unparsable: line.slice(0, 200) });
        }
      }
      resolve({ code, stderr, responses, firstResponseMs });
    });
  });
}

/** A minimal REST API (v1) proxy event. */
export function restApiEvent(method, path, { body, headers = {}, identity = {} } = {}) {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    multiValueHeaders: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      httpMethod: method,
      path: `/prod${path}`,
      resourcePath: '/{proxy+}',
      stage: 'prod',
      requestId: randomUUID(),
      identity: { sourceIp: '203.0.113.7', userArn: null, caller: null, user: null, ...identity },
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** A minimal HTTP API (v2) proxy event. */
export function httpApiEvent(method, path, { body, headers = {}, authorizer } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      ...(authorizer ? { authorizer } : {}),
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'check' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/**
 * A fresh schema on the test PostgreSQL (as test/support/postgres.ts: GATEWIRE_TEST_POSTGRES_URL,
 * else the OS user on 127.0.0.1:5432/test) for `work(url)`, dropped afterwards.
 */
export async function withPostgresSchema(label, work) {
  const { default: pg } = await import('pg');
  const { userInfo } = await import('node:os');
  const user = process.env.PGUSER ?? process.env.USER ?? userInfo().username;
  const base = process.env.GATEWIRE_TEST_POSTGRES_URL ?? `postgres://${encodeURIComponent(user)}@127.0.0.1:5432/test`;
  const schema = `${label}_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = async (text) => {
    const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema "${schema}"`);
  try {
    const url = new URL(base);
    url.searchParams.set('schema', schema);
    return await work(url.toString());
  } finally {
    await admin(`drop schema if exists "${schema}" cascade`);
  }
}

/**
 * dynalite (DynamoDB's API in memory, a devDependency) on 127.0.0.1:0 for `work(endpoint)`, closed
 * afterwards: the DynamoDB audit store's tables are made by the bundle itself (?createTables=true).
 */
export async function withDynalite(work) {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await work(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
