// Response serializers without a compiler (the Lambda build, issue 15): the value is projected
// onto its response schema the way fast-json-stringify writes it — the schema's properties in its
// order (required ones first), defaults for absent ones, a missing required one an error, fields the
// schema does not name dropped (so nothing unlisted leaks), `anyOf` /
// `oneOf` by the first branch the value matches, `$ref`s to the shared schemas followed — and
// the result goes through JSON.stringify. Nothing to load or compile at a cold start.
// test/support/checked-serializers.ts runs both on every response of the test suite and fails on
// any difference.
import { Check } from 'typebox/value';
import type { BuildSerializer, SerializerCompilers } from './types.js';

type Schema = {
  $id?: string;
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shared schemas by $id, as Fastify hands them over ({ [id]: schema }). */
function contextOf(externalSchemas: unknown): Record<string, Schema> {
  const context: Record<string, Schema> = {};
  for (const [key, schema] of Object.entries((externalSchemas ?? {}) as Record<string, Schema>)) context[schema.$id ?? key] = schema;
  return context;
}

export function createProjector(context: Record<string, Schema>) {
  const resolve = (schema: Schema): Schema => {
    let current = schema;
    for (let depth = 0; current.$ref !== undefined; depth += 1) {
      const target = context[current.$ref.replace(/#$/, '')];
      if (target === undefined || depth > 32) throw new Error(`response schema: unknown $ref ${current.$ref}`);
      current = target;
    }
    return current;
  };
  const matches = (schema: Schema, value: unknown) => Check(context as never, schema as never, value);

  function project(input: Schema, value: unknown): unknown {
    if (value === undefined || value === null) return value;
    const schema = resolve(input);
    const branches = schema.anyOf ?? schema.oneOf;
    if (branches) {
      const branch = branches.find((candidate) => matches(candidate, value));
      return branch === undefined ? value : project(branch, value);
    }
    if (schema.allOf) {
      // Every part's properties apply: keep what any part names (fast-json-stringify merges them).
      const parts = schema.allOf.map((part) => project(part, value));
      return parts.every(isPlainObject) ? Object.assign({}, ...parts) : value;
    }
    if (Array.isArray(value)) return schema.items ? value.map((item) => project(schema.items!, item)) : value;
    if (!isPlainObject(value)) return value;
    if (schema.properties === undefined && schema.patternProperties === undefined && schema.additionalProperties === undefined) {
      // An object the schema does not describe (Type.Unknown, a bare object): written as it is.
      return value;
    }
    const out: Record<string, unknown> = {};
    const properties = schema.properties ?? {};
    const required = schema.required ?? [];
    for (const key of required) if (!(key in properties) && value[key] === undefined) throw new Error(`"${key}" is required!`);
    // As fast-json-stringify writes them: the required properties first, each group in the schema's order.
    const keys = Object.keys(properties).sort((one, two) => Number(required.includes(two)) - Number(required.includes(one)));
    for (const key of keys) {
      const propertySchema = properties[key]!;
      if (value[key] !== undefined) out[key] = project(propertySchema, value[key]);
      else if (resolve(propertySchema).default !== undefined) out[key] = resolve(propertySchema).default;
      else if (required.includes(key)) throw new Error(`"${key}" is required!`);
    }
    const patterns = Object.entries(schema.patternProperties ?? {}).map(([pattern, patternSchema]) => [new RegExp(pattern), patternSchema] as const);
    for (const key of Object.keys(value)) {
      if (key in properties || value[key] === undefined) continue;
      const pattern = patterns.find(([expression]) => expression.test(key));
      if (pattern) out[key] = project(pattern[1], value[key]);
      else if (schema.additionalProperties === true) out[key] = value[key];
      else if (isPlainObject(schema.additionalProperties)) out[key] = project(schema.additionalProperties, value[key]);
    }
    return out;
  }
  return project;
}

export const jsonSerializers: SerializerCompilers = () => {
  const build: BuildSerializer = (externalSchemas) => {
    const project = createProjector(contextOf(externalSchemas));
    return ({ schema }) =>
      (data) =>
        JSON.stringify(project(schema as Schema, data));
  };
  return build;
};
