// The TypeScript types of the REST API, generated from openapi/openapi.json by openapi-typescript:
// one function for `npm run openapi:types` (which writes them) and for the test that keeps the
// committed src/client/openapi-types.ts current, so both always generate the same text.
import { readFile } from 'node:fs/promises';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export const OPENAPI_DOCUMENT = new URL('../openapi/openapi.json', import.meta.url);
export const OPENAPI_TYPES = new URL('../src/client/openapi-types.ts', import.meta.url);

export async function generateOpenApiTypes(): Promise<string> {
  const document = JSON.parse(await readFile(OPENAPI_DOCUMENT, 'utf8')) as Parameters<typeof openapiTS>[0];
  return `${COMMENT_HEADER}${astToString(await openapiTS(document, { silent: true }))}`;
}
