// The Lambda bundle's validators: the code Ajv generated at build time for every route schema of
// the Lambda app (scripts/write-lambda-validators.ts, with the options of validation.ts), one
// CommonJS file each, loaded synchronously the first time its route validates a request. A cold
// start then neither parses Ajv nor compiles a schema; the errors are Ajv's own, so problem bodies
// are the same bytes as the server's (test/precompiled-validators.test.ts, test/support/checked-validators.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { lazyValidator, type RouteSchemaPart, type Validator, type ValidatorCompilers } from './validation.js';

/** The file that maps each route part to its validator's file, in the validators' folder. */
export const VALIDATOR_INDEX_FILE = 'index.json';

/** One route part: `PUT /v1/apis/:apiId/routes/:routeKey/integration body`. */
export function validatorKey(routeSchema: Pick<RouteSchemaPart, 'method' | 'url' | 'httpPart'>): string {
  return `${String(routeSchema.method)} ${routeSchema.url ?? ''} ${routeSchema.httpPart ?? ''}`;
}

export interface ValidatorIndex {
  /** validatorKey → file name in the same folder. */
  validators: Record<string, string>;
  /** validatorKey → the fingerprint of the schema the code was generated from. */
  fingerprints: Record<string, string>;
}

/** A route part's schema as the generator saw it: the app checks its own against it at init. */
export function schemaFingerprint(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('base64url').slice(0, 22);
}

export function readValidatorIndex(dir: string): ValidatorIndex {
  return JSON.parse(readFileSync(join(dir, VALIDATOR_INDEX_FILE), 'utf8')) as ValidatorIndex;
}

/**
 * Validators read from `dir`. A route part with no generated validator, or one generated from
 * another schema, fails the app's build (init), never a request.
 */
export function precompiledValidators(dir: string, index: ValidatorIndex = readValidatorIndex(dir)): ValidatorCompilers {
  // createRequire takes only an absolute path.
  const load = createRequire(resolve(dir, VALIDATOR_INDEX_FILE));
  return () => () => (routeSchema) => {
    const key = validatorKey(routeSchema);
    const file = index.validators[key];
    if (file === undefined) throw new Error(`no validator was generated for ${key}: rebuild the Lambda bundle (npm run build:lambda)`);
    // A schema that differs from the one the code came from (a build from other sources) would
    // validate by old rules; the app refuses to start instead.
    if (index.fingerprints[key] !== schemaFingerprint(routeSchema.schema)) {
      throw new Error(`the validator generated for ${key} checks another schema than this app's: rebuild the Lambda bundle (npm run build:lambda)`);
    }
    return lazyValidator(() => load(`./${file}`) as Validator);
  };
}
