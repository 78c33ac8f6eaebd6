// redactSecrets: what the change runner stores as the audit record's request, plan and states.
import t from 'tap';
import { isSecretKey, redactSecrets, REDACTED } from '../../src/audit/redact.js';

t.test('secret-looking keys lose their values, at any depth', async (t) => {
  const input = {
    authorization: 'Bearer abc',
    Password: 'hunter2',
    nested: { clientSecret: 's', items: [{ apiKey: 'k', keep: 1 }, { 'x-api-key': 'k2' }] },
    headers: { 'X-Api-Key': 'k3', Cookie: 'c', 'x-auth-token': 't', accept: 'application/json' },
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'shh' },
    dbPassword: 'p',
    webhook_secret: 'w',
    sessionToken: 'st',
  };
  t.same(redactSecrets(input), {
    authorization: REDACTED,
    Password: REDACTED,
    nested: { clientSecret: REDACTED, items: [{ apiKey: REDACTED, keep: 1 }, { 'x-api-key': REDACTED }] },
    headers: { 'X-Api-Key': REDACTED, Cookie: REDACTED, 'x-auth-token': REDACTED, accept: 'application/json' },
    credentials: REDACTED,
    dbPassword: REDACTED,
    webhook_secret: REDACTED,
    sessionToken: REDACTED,
  });
});

t.test('parameter mappings are judged by the header or parameter they name', async (t) => {
  const mappings = {
    'integration.request.header.Authorization': "'Bearer abc'",
    'integration.request.header.x-api-key': 'context.identity.apiKey',
    'integration.request.querystring.token': "'t'",
    'integration.request.header.x-connection': 'context.connectionId',
    'route.request.header.Authorization': 'required',
  };
  t.same(redactSecrets({ requestParameters: mappings }).requestParameters, {
    'integration.request.header.Authorization': REDACTED,
    'integration.request.header.x-api-key': REDACTED,
    'integration.request.querystring.token': REDACTED,
    'integration.request.header.x-connection': 'context.connectionId',
    'route.request.header.Authorization': REDACTED,
  });
});

t.test('fields Gatewire must keep are kept', async (t) => {
  for (const key of ['credentialsArn', 'invokeWithCallerCredentials', 'executionRoleArn', 'authorizationType', 'requestTemplates', 'integrationUri', 'description']) {
    t.notOk(isSecretKey(key), key);
  }
  const intent = {
    backend: { type: 'lambda', function: 'fn', invokeWithCallerCredentials: true },
    requestTemplates: { 'application/json': '{"a":1}' },
  };
  t.same(redactSecrets(intent), intent);
});

t.test('a deep copy: the input is untouched, and odd values survive', async (t) => {
  const input = { a: { password: 'p', list: [1, 'two', null, true] }, when: new Date(0), missing: undefined };
  const output = redactSecrets(input);
  t.equal(input.a.password, 'p', 'the input keeps its secret');
  t.not(output.a, input.a, 'nested objects are copies');
  t.not(output.a.list, input.a.list, 'arrays are copies');
  t.same(output.a.list, [1, 'two', null, true]);
  t.equal(output.when.getTime(), 0);
  for (const scalar of [null, undefined, 3, 'text', false]) t.equal(redactSecrets(scalar), scalar);

  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  t.same(redactSecrets(cyclic), { name: 'loop', self: '[circular]' }, 'cycles are cut, not followed');
  const shared = { token: 'x' };
  t.same(redactSecrets({ one: shared, two: shared }), { one: { token: REDACTED }, two: { token: REDACTED } }, 'shared objects are not cycles');
});

t.test('redactingAuditStore redacts what is written and passes the rest through', async (t) => {
  const { createMemoryAuditStore } = await import('../../src/audit/memory-store.js');
  const { redactingAuditStore } = await import('../../src/audit/redact.js');
  const inner = createMemoryAuditStore();
  const store = redactingAuditStore(inner);
  const request = { requestParameters: { 'integration.request.header.Authorization': "'Bearer x'" } };
  await store.appendPending({
    id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    occurredAt: '2025-01-01T00:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'r',
    action: 'route-integration.put',
    apiId: 'api1',
    request,
    plan: [{ params: request }],
    before: { integration: request },
  });
  await store.finalize('01ARZ3NDEKTSV4RRFFQ69G5FAV', { status: 'succeeded', after: { integration: request }, awsCalls: [], durationMs: 1 });
  const record = await store.get('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  t.notMatch(JSON.stringify(record), /Bearer/, 'request, plan, before and after are all redacted');
  t.equal(request.requestParameters['integration.request.header.Authorization'], "'Bearer x'", 'the caller keeps its values');
  t.equal((await store.list({ limit: 5 })).items.length, 1);
  t.same(await store.listTakeable(new Date(), 5), [], 'the journal methods pass through');
  await store.ping();
  inner.setUnavailable(true);
  await t.rejects(store.ping(), 'failures pass through');
  await store.close();
});
