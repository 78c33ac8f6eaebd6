#!/usr/bin/env node
// CI check of the built Lambda zip (npm run build:lambda first): unpacked into an empty folder
// with no node_modules anywhere above it, loaded by a fresh `node` process as the Lambda runtime
// would, it must answer synthetic API Gateway events (REST API v1 and HTTP API v2) against the
// local PostgreSQL and against the DynamoDB audit store (on dynalite), serve Swagger UI, and contain
// no better-sqlite3. Exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpApiEvent, invokeBundle, restApiEvent, withDynalite, withPostgresSchema } from './lambda-bundle-runner.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const zipFile = join(root, 'dist/gatewire-lambda.zip');
const CALLER = 'arn:aws:iam::123456789012:user/bundle-check';
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAILED'} - ${what}`);
  if (!ok) failures.push(what);
}

if (!existsSync(zipFile)) {
  console.error(`${zipFile} is missing: run npm run build:lambda first`);
  process.exit(1);
}

const dir = await mkdtemp(join(tmpdir(), 'gatewire-lambda-check-'));
try {
  execFileSync('unzip', ['-q', zipFile, '-d', dir]);
  const listing = execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const bundleBytes = (await stat(join(dir, 'index.mjs'))).size;
  console.log(`bundle: index.mjs ${mib(bundleBytes)}, zip ${mib((await stat(zipFile)).size)}, ${listing.length} files`);

  check(!listing.some((file) => /better-sqlite3|\.node$/.test(file)), 'the zip holds no better-sqlite3 and no native module');
  check(!existsSync(join(dir, 'node_modules')), 'the zip has no node_modules: everything is in index.mjs and its chunks');
  check(listing.some((file) => /^chunks\/.+\.mjs$/.test(file)), 'the lazily loaded chunks are in the zip');
  check(listing.includes('static/swagger-ui-bundle.js') && listing.includes('static/index.html'), "Swagger UI's static files are in the zip");
  check(listing.includes('openapi.json'), 'the OpenAPI document is in the zip');
  check(
    listing.includes('validators/index.json') && listing.some((file) => /^validators\/[0-9a-f]+\.cjs$/.test(file)),
    'the route validators generated at build time are in the zip',
  );
  const resolvable = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "import('better-sqlite3').then(() => console.log('yes'), () => console.log('no'))"],
    { cwd: dir, encoding: 'utf8' },
  ).trim();
  check(resolvable === 'no', 'better-sqlite3 cannot be loaded from where the bundle runs');

  // Without a PostgreSQL audit URL, init fails and says why.
  const noPostgres = await invokeBundle({ dir, events: [httpApiEvent('GET', '/healthz')], env: { AWS_REGION: 'us-east-1' } });
  check(
    noPostgres.code !== 0 && /GATEWIRE_AUDIT_URL must be a postgres:\/\/ or dynamodb:\/\/ URL on Lambda/.test(noPostgres.stderr),
    'without GATEWIRE_AUDIT_URL the function fails at init naming the variable',
  );

  // With one: the real init path (PostgreSQL pool, migrations, app.ready()), then the events.
  const invalidRequestId = 'bundle-check-request-id';
  const invalid = restApiEvent('PUT', '/v1/apis/abcdef1234/routes/sendmessage/integration', {
    body: { backend: { type: 'http' }, timeoutInMillis: 30000 },
    identity: { userArn: CALLER },
    headers: { 'X-Request-Id': 'chosen-by-client' },
  });
  invalid.requestContext.requestId = invalidRequestId;
  const events = [
    httpApiEvent('GET', '/healthz'),
    restApiEvent('GET', '/readyz'),
    invalid,
    httpApiEvent('GET', '/docs'),
    httpApiEvent('GET', '/docs/static/swagger-ui-bundle.js'),
    restApiEvent('GET', '/docs/static/favicon-32x32.png'),
    httpApiEvent('GET', '/openapi.json', { authorizer: { iam: { userArn: CALLER } } }),
  ];
  const run = await withPostgresSchema('lambda_bundle_check', (url) =>
    invokeBundle({
      dir,
      events,
      env: {
        GATEWIRE_AUDIT_URL: url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_LAMBDA_FUNCTION_NAME: 'gatewire',
        // Lambda mode requires caller credentials: the IAM caller of the events may write.
        GATEWIRE_IAM_PRINCIPALS: JSON.stringify([{ principal: CALLER, scopes: ['write'] }]),
        // The API of the events (lambda-bundle-runner.mjs): only its callers are believed.
        GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
        LOG_LEVEL: 'warn',
      },
    }),
  );
  check(run.code === 0, `the bundle loads and exits cleanly${run.code === 0 ? '' : `: ${run.stderr}`}`);
  const [healthz, readyz, problem, docs, script, icon, spec] = run.responses;
  check(healthz?.statusCode === 200 && healthz.body === '{"status":"ok"}', `GET /healthz (HTTP API v2) → ${healthz?.statusCode} ${healthz?.body}`);
  check(readyz?.statusCode === 200 && readyz.body === '{"status":"ready"}', `GET /readyz (REST API v1, PostgreSQL migrated at init) → ${readyz?.statusCode} ${readyz?.body}`);
  const problemBody = problem ? JSON.parse(problem.body) : {};
  check(
    problem?.statusCode === 400 &&
      /^application\/problem\+json/.test(problem.headers['content-type']) &&
      problemBody.instance === invalidRequestId &&
      problemBody.errors?.length >= 2,
    `invalid PUT …/integration → ${problem?.statusCode} problem+json naming ${problemBody.errors?.length} fields, instance = API Gateway's request id`,
  );
  check(docs?.statusCode === 200 && /swagger-ui/.test(docs.body), `GET /docs → ${docs?.statusCode}`);
  check(script?.statusCode === 200 && script.body.length > 100_000, `GET /docs/static/swagger-ui-bundle.js → ${script?.statusCode}`);
  check(icon?.statusCode === 200 && icon.isBase64Encoded === true, `GET /docs/static/favicon-32x32.png → ${icon?.statusCode}, base64`);
  const document = spec?.statusCode === 200 ? JSON.parse(spec.body) : {};
  check(
    document.openapi === '3.1.0' && document.paths?.['/v1/apis/{apiId}/routes/{routeKey}/integration'] !== undefined && document.paths['/metrics'] === undefined,
    `GET /openapi.json → ${spec?.statusCode}, the routes' document without /metrics`,
  );
  console.log(`first response ${Math.round(run.firstResponseMs ?? NaN)} ms after the process started (a cold start, init included)`);

  // The same function with the DynamoDB audit store: its client is loaded from a chunk at init.
  const dynamoEvents = [
    restApiEvent('GET', '/readyz'),
    httpApiEvent('GET', '/v1/audit', { authorizer: { iam: { userArn: CALLER } } }),
    invalid,
    restApiEvent('GET', '/v1/changes/01ARZ3NDEKTSV4RRFFQ69G5FAV', { identity: { userArn: CALLER } }),
  ];
  const dynamoRun = await withDynalite((endpoint) =>
    invokeBundle({
      dir,
      events: dynamoEvents,
      env: {
        GATEWIRE_AUDIT_URL: 'dynamodb://gatewire-bundle-check?createTables=true',
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_LAMBDA_FUNCTION_NAME: 'gatewire',
        // The audit trail is read with the admin scope.
        GATEWIRE_IAM_PRINCIPALS: JSON.stringify([{ principal: CALLER, scopes: ['admin'] }]),
        GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
        LOG_LEVEL: 'warn',
      },
    }),
  );
  check(dynamoRun.code === 0, `with dynamodb:// the bundle loads and exits cleanly${dynamoRun.code === 0 ? '' : `: ${dynamoRun.stderr}`}`);
  const [dynamoReady, auditPage, dynamoProblem, unknownChange] = dynamoRun.responses;
  check(dynamoReady?.statusCode === 200 && dynamoReady.body === '{"status":"ready"}', `GET /readyz (DynamoDB) → ${dynamoReady?.statusCode} ${dynamoReady?.body}`);
  check(auditPage?.statusCode === 200 && JSON.parse(auditPage.body).items?.length === 0, `GET /v1/audit (DynamoDB query) → ${auditPage?.statusCode} ${auditPage?.body}`);
  check(dynamoProblem?.statusCode === 400, `invalid PUT …/integration (DynamoDB) → ${dynamoProblem?.statusCode}`);
  check(unknownChange?.statusCode === 404, `GET /v1/changes/<unknown> (DynamoDB read) → ${unknownChange?.statusCode}`);
  console.log(`DynamoDB: first response ${Math.round(dynamoRun.firstResponseMs ?? NaN)} ms after the process started`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`lambda bundle check: ${failures.length} failed`);
  process.exit(1);
}
console.log('lambda bundle check: all passed');
