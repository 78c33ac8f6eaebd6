// Schemas compile on first use (src/validation.ts); this proves the lazy wrappers behave like the
// compiled functions, and that every route's schemas still compile (eagerly, at ready()).
import t from 'tap';
import { buildApp } from '../src/app.js';
import { SERVER_EXTRAS } from '../src/plugins/server-extras.js';
import { createInProcessLock } from '../src/audit/locks.js';
import { createMemoryAuditStore } from '../src/audit/memory-store.js';
import { loadConfig } from '../src/config.js';
import { createDependencies } from '../src/dependencies.js';
import { lazySerializer } from '../src/serializers/compiled.js';
import { lazyValidator } from '../src/validation.js';

t.test('a lazy validator compiles once, on first call, and passes on the result and its errors', async (t) => {
  let compiled = 0;
  const validate = lazyValidator(() => {
    compiled++;
    const inner = Object.assign((data: unknown) => {
      inner.errors = data === 1 ? null : [{ message: 'must be 1' }];
      return data === 1;
    }, { errors: null as unknown });
    return inner;
  });
  t.equal(compiled, 0, 'nothing compiled before the first request');
  t.equal(validate(2), false);
  t.same(validate.errors, [{ message: 'must be 1' }], 'the errors of the failed call');
  t.equal(validate(1), true);
  t.equal(validate.errors, null, 'cleared by a passing call');
  t.equal(compiled, 1, 'compiled once');
});

t.test('a lazy serializer compiles once, on first call', async (t) => {
  let compiled = 0;
  const serialize = lazySerializer(() => {
    compiled++;
    return (data) => `<${JSON.stringify(data)}>`;
  });
  t.equal(compiled, 0);
  t.equal(serialize({ a: 1 }), '<{"a":1}>');
  t.equal(serialize(2), '<2>');
  t.equal(compiled, 1);
});

t.test('every route schema compiles when compiled eagerly at ready()', async (t) => {
  const config = loadConfig({ LOG_LEVEL: 'silent', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', GATEWIRE_APIGATEWAY_RATE: '0', GATEWIRE_LAMBDA_RATE: '0' });
  const store = createMemoryAuditStore();
  const deps = await createDependencies(config, { awsCredentials: { accessKeyId: 'a', secretAccessKey: 'b' }, audit: { store, lock: createInProcessLock() } });
  t.teardown(() => deps.close());
  const app = await buildApp({ config, services: deps.services, auditStore: store, logger: false, compileSchemasEagerly: true, extras: SERVER_EXTRAS });
  t.teardown(() => app.close());
  await t.resolves(async () => {
    await app.ready();
  }, 'validators and serializers of every route compile');
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
});
