// The committed client types (src/client/openapi-types.ts) must be what openapi-typescript makes
// of the committed openapi/openapi.json (itself kept current by test/openapi.test.ts): run
// `npm run openapi:types` after `npm run openapi`, and commit both.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { generateOpenApiTypes, OPENAPI_TYPES } from '../../scripts/openapi-types.js';

t.test('src/client/openapi-types.ts is current', async (t) => {
  const committed = await readFile(OPENAPI_TYPES, 'utf8');
  t.equal(committed, await generateOpenApiTypes(), 'stale: run `npm run openapi:types` and commit src/client/openapi-types.ts');
});

t.test('the types name every path of the document', async (t) => {
  const document = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, unknown> };
  const committed = await readFile(OPENAPI_TYPES, 'utf8');
  for (const path of Object.keys(document.paths)) t.ok(committed.includes(`    "${path}": {`), `${path} has its type`);
});
