// Validates a JSON document against a component of openapi/openapi.json (OpenAPI 3.1, whose
// schemas are JSON Schema 2020-12): what the typed client's types are generated from, so a
// document that passes is one those types describe.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const DOCUMENT_ID = 'openapi.json';
const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

// ajv-formats is CommonJS: its default export arrives wrapped once more under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;
// strict: false, because the document is an OpenAPI document, not a bare schema: `paths`,
// `info` and OpenAPI's own keywords are not JSON Schema keywords.
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
ajv.addSchema({ ...document, $id: DOCUMENT_ID });

/** The errors of `value` against `#/components/schemas/<name>`; [] when it conforms. */
export function schemaErrors(name: string, value: unknown): ErrorObject[] {
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no component ${name} in openapi/openapi.json`);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/**
 * The errors of `value` against the schema the document declares for an operation's answer
 * (`paths[path][method].responses[status].content[mediaType].schema`); [] when it conforms.
 */
export function responseErrors(path: string, method: string, status: number, value: unknown, mediaType = 'application/json'): ErrorObject[] {
  // A JSON pointer in a URI fragment: `~` and `/` escaped (RFC 6901), then the rest (`{`, `}`) URI-encoded.
  const pointer = ['paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema']
    .map((segment) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1')))
    .join('/');
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/${pointer}`);
  if (!validate) throw new Error(`openapi/openapi.json declares no ${mediaType} ${status} for ${method.toUpperCase()} ${path}`);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
