// The committed openapi/openapi.json must be what the routes serve: run `npm run openapi` after
// changing a schema.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { generateOpenApiDocument } from '../src/openapi-document.js';

t.test('openapi/openapi.json is current', async (t) => {
  const committed = await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
  const generated = await generateOpenApiDocument();
  t.equal(committed, generated, 'stale: run `npm run openapi` and commit openapi/openapi.json');
});

t.test('the document names its components and covers every backend', async (t) => {
  const document = JSON.parse(await generateOpenApiDocument());
  t.equal(document.openapi, '3.1.0');
  t.ok(document.components.schemas.RouteIntegrationIntent, 'intent form is a named component');
  t.notOk(Object.keys(document.components.schemas).some((name) => name.startsWith('def-')), 'no def-N names');
  const put = document.paths['/v1/apis/{apiId}/routes/{routeKey}/integration'].put;
  t.ok(put.summary && put.description, 'summary and description');
  t.same(
    Object.keys(put.requestBody.content['application/json'].examples).sort(),
    ['awsService', 'http', 'lambdaCustomCrossAccount', 'lambdaProxy', 'mock', 'vpcLink'],
    'one example per backend type',
  );
  const intent = document.components.schemas.RouteIntegrationIntent;
  const types = intent.properties.backend.oneOf.map(
    (branch: { properties: { type: { const?: string; enum?: string[] } } }) => branch.properties.type.const ?? branch.properties.type.enum?.[0],
  );
  t.same(types.sort(), ['aws', 'http', 'lambda', 'mock', 'vpcLink']);
  // Swagger UI groups operations by tag: each tag is declared once, and every tag used is declared.
  const declared = (document.tags as { name: string }[]).map((tag) => tag.name);
  t.same(declared, [...new Set(declared)], 'no tag is declared twice');
  const used = new Set(Object.values<Record<string, { tags?: string[] }>>(document.paths).flatMap((operations) => Object.values(operations).flatMap((operation) => operation.tags ?? [])));
  t.same([...used].filter((tag) => !declared.includes(tag)), [], 'every tag an operation uses is declared');
  for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const problems = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      for (const [status, response] of problems) {
        t.ok(
          (response as { content?: Record<string, unknown> }).content?.['application/problem+json'],
          `${method.toUpperCase()} ${path} ${status} is problem+json`,
        );
      }
    }
  }
});

t.test('every operation has a summary, a description, and examples for Swagger UI', async (t) => {
  const document = JSON.parse(await generateOpenApiDocument());
  const components = document.components.schemas as Record<string, { examples?: unknown[] }>;
  // A response shows an example when its schema, or a component it refers to (at any depth),
  // carries one: Swagger UI builds the sample from the examples it finds on the way.
  const hasExample = (schema: unknown, seen = new Set<string>()): boolean => {
    const text = JSON.stringify(schema ?? {});
    if (/"examples?":/.test(text)) return true;
    return [...text.matchAll(/#\/components\/schemas\/(\w+)/g)].some(([, name]) => {
      if (seen.has(name!)) return false;
      seen.add(name!);
      return hasExample(components[name!], seen);
    });
  };
  for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(operation.summary && operation.description, `${name} has a summary and a description`);
      const ok = Object.entries<any>(operation.responses).find(([status]) => status.startsWith('2'))?.[1];
      const json = ok?.content?.['application/json'];
      if (json && path.startsWith('/v1')) t.ok(hasExample(json.schema) || json.examples || json.example, `${name} shows an example response`);
      const body = operation.requestBody?.content?.['application/json'];
      if (body) t.ok(body.examples || body.example || hasExample(body.schema), `${name} shows an example request`);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.required) continue;
        // "Try it out" fills an optional parameter's example in and sends it (a stage that does not
        // exist, a stale ETag): optional parameters must come empty.
        t.notOk(parameter.example ?? parameter.examples ?? parameter.schema?.example ?? parameter.schema?.examples, `${name}: optional ${parameter.name} has no example`);
      }
    }
  }
});

t.test('every mutation declares its 202: the Change, with Location and Retry-After', async (t) => {
  const document = JSON.parse(await generateOpenApiDocument());
  type Response = { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, { schema?: { type?: string } }> };
  const mutations = Object.entries<Record<string, { responses: Record<string, Response> }>>(document.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['put', 'post', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, accepted: operation.responses['202'] })),
    );
  // Every mutation of the API runs as a change (routes/change-answer.ts); the list guards against
  // a filter that silently matches nothing.
  const inDefaultTarget = [
    'DELETE /v1/apis/{apiId}/integrations/{integrationId}',
    'DELETE /v1/apis/{apiId}/integrations/{integrationId}/responses/{responseKey}',
    'DELETE /v1/apis/{apiId}/routes/{routeKey}/integration',
    'PATCH /v1/apis/{apiId}/integrations/{integrationId}',
    'POST /v1/apis/{apiId}/integrations',
    'POST /v1/apis/{apiId}/permissions/reconcile',
    'PUT /v1/apis/{apiId}/integrations/{integrationId}/responses/{responseKey}',
    'PUT /v1/apis/{apiId}/routes',
    'PUT /v1/apis/{apiId}/routes/{routeKey}/integration',
  ];
  // Each one again in a named target (issue 19): /v1/targets/{target}/apis/…
  const inTarget = inDefaultTarget.map((name) => name.replace(' /v1/', ' /v1/targets/{target}/'));
  t.same(mutations.map((mutation) => mutation.name).sort(), [...inDefaultTarget, ...inTarget].sort());
  for (const { name, accepted } of mutations) {
    t.equal(accepted?.content?.['application/json']?.schema?.$ref, '#/components/schemas/Change', `${name}: 202 is a Change`);
    t.equal(accepted?.headers?.['Location']?.schema?.type, 'string', `${name}: 202 describes Location`);
    t.equal(accepted?.headers?.['Retry-After']?.schema?.type, 'integer', `${name}: 202 describes Retry-After`);
  }
});

t.test('every /v1/apis operation is also served in a named target, and says so', async (t) => {
  const document = JSON.parse(await generateOpenApiDocument());
  const paths = Object.keys(document.paths);
  for (const path of paths.filter((p) => p.startsWith('/v1/apis'))) {
    const scoped = path.replace('/v1/', '/v1/targets/{target}/');
    t.ok(document.paths[scoped], `${scoped} exists`);
    for (const [method, operation] of Object.entries<any>(document.paths[scoped] ?? {})) {
      const target = operation.parameters?.find((parameter: { in: string; name: string }) => parameter.in === 'path' && parameter.name === 'target');
      t.ok(target?.required, `${method.toUpperCase()} ${scoped} declares its target`);
      t.same(operation.tags, ['targets'], 'grouped under targets in Swagger UI');
      t.match(operation.responses['404']?.description, /no target has that name/i);
      t.match(operation.responses['502']?.description, /unreachable/);
    }
  }
  t.ok(document.paths['/v1/targets']?.get, 'GET /v1/targets');
});
