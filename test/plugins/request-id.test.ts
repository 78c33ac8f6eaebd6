// Request ids name audit records in a trail that every instance shares: they must be unique across
// instances and restarts (issue 16 §6), not Fastify's per-process counter (`req-1`, `req-2`, …).
import t from 'tap';
import { buildTestApp } from '../support/build-test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('two instances (or one restarted) never hand out the same request id', async (t) => {
  const first = await buildTestApp(t);
  const second = await buildTestApp(t, { fake: first.fake });
  const ids: string[] = [];
  for (const { app } of [first, second]) {
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({ method: 'GET', url: '/v1/no-such-thing' });
      ids.push(String((response.json() as { instance: string }).instance));
    }
  }
  for (const id of ids) t.match(id, UUID, `${id} is a UUID`);
  t.equal(new Set(ids).size, ids.length, 'all distinct');

  // And the audit record of a change carries it.
  const put = await first.app.inject({
    method: 'PUT',
    url: `/v1/apis/${first.apiId}/routes/sendmessage/integration`,
    payload: { backend: { type: 'mock' } },
  });
  t.equal(put.statusCode, 200, put.body.slice(0, 200));
  const [record] = (await first.auditStore.list({ limit: 1 })).items;
  t.match(record?.requestId, UUID, 'the audit record names the request by its UUID');
});
