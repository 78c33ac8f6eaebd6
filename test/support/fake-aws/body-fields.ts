// Typed reads from a parsed JSON request body. The real SDK always sends the right JSON types, but
// tests may hand-craft bodies, and AWS answers a wrongly typed member with a 400 naming it.
import type { AwsError } from './errors.js';

export type JsonObject = Record<string, unknown>;
export type Fail = (message: string) => AwsError;

export function asObject(body: unknown, fail: Fail): JsonObject {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw fail('The request body must be a JSON object');
  return body as JsonObject;
}

export function optionalString(body: JsonObject, field: string, fail: Fail): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw fail(`Invalid value for ${field}: expected a string`);
  return value;
}

export function requiredString(body: JsonObject, field: string, fail: Fail): string {
  const value = optionalString(body, field, fail);
  if (value === undefined || value === '') throw fail(`${field} is required`);
  return value;
}

export function optionalNumber(body: JsonObject, field: string, fail: Fail): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(`Invalid value for ${field}: expected an integer`);
  return value;
}

export function optionalBoolean(body: JsonObject, field: string, fail: Fail): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw fail(`Invalid value for ${field}: expected a boolean`);
  return value;
}

export function optionalStringMap(body: JsonObject, field: string, fail: Fail): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(`Invalid value for ${field}: expected a map`);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw fail(`Invalid value for ${field}.${key}: expected a string`);
  }
  return { ...(value as Record<string, string>) };
}

export function optionalObject(body: JsonObject, field: string, fail: Fail): JsonObject | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(`Invalid value for ${field}: expected an object`);
  return structuredClone(value as JsonObject);
}

export function optionalStringList(body: JsonObject, field: string, fail: Fail): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw fail(`Invalid value for ${field}: expected a list of strings`);
  }
  return [...(value as string[])];
}

/** Drops undefined members, so that stored records and responses only carry fields that are set. */
export function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
