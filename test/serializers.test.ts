// The Lambda's response serializers (src/serializers/json.ts) write what fast-json-stringify writes
// (src/serializers/compiled.ts). Every response of the route tests is compared by the test apps
// (test/support/checked-serializers.ts); this covers the schema features one by one, and a bad
// request's problem body from an app built with the Lambda's serializers.
import t from 'tap';
import * as Type from 'typebox';
import { compiledSerializers } from '../src/serializers/compiled.js';
import { jsonSerializers } from '../src/serializers/json.js';
import type { SerializerCompilers } from '../src/serializers/types.js';
import { buildTestApp, routeIntegrationUrl } from './support/build-test-app.js';

const Shared = Type.Object({ id: Type.String(), note: Type.Optional(Type.String()) }, { $id: 'Shared' });
const external = { Shared };

function both(schema: unknown) {
  const serializer = (compilers: SerializerCompilers) => compilers({ lazy: false })(external, {})({ schema, method: 'GET', url: '/', httpStatus: '200' });
  return { compiled: serializer(compiledSerializers), json: serializer(jsonSerializers) };
}

const cases: { name: string; schema: unknown; value: unknown }[] = [
  {
    name: 'fields the schema does not name are dropped, at every depth',
    schema: Type.Object({ a: Type.String(), inner: Type.Object({ b: Type.Integer() }) }),
    value: { secret: 'x', a: 'y', inner: { b: 1, internal: true } },
  },
  {
    name: 'required properties first, each group in the schema order',
    schema: Type.Object({ optional: Type.Optional(Type.String()), first: Type.String(), later: Type.Optional(Type.Boolean()), second: Type.Integer() }),
    value: { later: false, second: 2, optional: 'o', first: 'f' },
  },
  { name: 'absent optional fields are left out', schema: Type.Object({ a: Type.Optional(Type.String()), b: Type.String() }), value: { b: 'b', a: undefined } },
  { name: 'a default stands in for an absent field', schema: Type.Object({ a: Type.String({ default: 'd' }), b: Type.String() }), value: { b: 'b' } },
  { name: 'arrays of objects', schema: Type.Array(Type.Object({ a: Type.String() })), value: [{ a: '1', x: 1 }, { a: '2' }] },
  { name: '$ref to a shared schema', schema: Type.Object({ item: Type.Ref('Shared') }), value: { item: { id: 'i', note: 'n', extra: 1 } } },
  { name: 'a record keeps every key', schema: Type.Record(Type.String(), Type.Object({ v: Type.String() })), value: { k1: { v: '1', w: 2 }, k2: { v: '2' } } },
  { name: 'an unknown value is written as it is', schema: Type.Object({ params: Type.Record(Type.String(), Type.Unknown()) }), value: { params: { a: [1, { b: 2 }] } } },
  { name: 'a nullable union: null', schema: Type.Object({ a: Type.Union([Type.Object({ b: Type.String() }), Type.Null()]) }), value: { a: null } },
  { name: 'a nullable union: the object branch', schema: Type.Object({ a: Type.Union([Type.Object({ b: Type.String() }), Type.Null()]) }), value: { a: { b: 'x', c: 1 } } },
  { name: 'a Date in a string field', schema: Type.Object({ at: Type.String({ format: 'date-time' }) }), value: { at: new Date('2026-01-02T03:04:05.006Z') } },
];

for (const { name, schema, value } of cases) {
  t.test(name, async (t) => {
    const { compiled, json } = both(schema);
    t.equal(json(structuredClone(value)), compiled(structuredClone(value)));
  });
}

t.test('a missing required field is an error in both', async (t) => {
  const { compiled, json } = both(Type.Object({ a: Type.String() }));
  t.throws(() => compiled({}));
  t.throws(() => json({}), /"a" is required/);
});

t.test("a bad request's problem body is the same with the Lambda's serializers as with the server's", async (t) => {
  const answer = async (serializers: SerializerCompilers) => {
    const { app, apiId } = await buildTestApp(t, { serializers });
    const response = await app.inject({
      method: 'PUT',
      url: routeIntegrationUrl(apiId, 'sendmessage'),
      headers: { 'x-request-id': 'same-id' },
      payload: { backend: { type: 'http', url: 'not a url', extra: 1 }, timeoutInMillis: 'soon', unknown: true },
    });
    const body = JSON.parse(response.body) as { instance?: string };
    // The request id is each app's own.
    delete body.instance;
    return { status: response.statusCode, type: response.headers['content-type'], body: JSON.stringify(body), raw: response.body.replace(/"instance":"[^"]*"/, '') };
  };
  const server = await answer(compiledSerializers);
  const lambda = await answer(jsonSerializers);
  t.equal(server.status, 400, server.body);
  t.ok((JSON.parse(server.body) as { errors: unknown[] }).errors.length >= 3, 'names every offending field');
  t.same(lambda, server, 'the same status, content type and bytes');
});
