// Both validators at once: Ajv compiling at run time (the server's) answers, and the code Ajv
// generated for the Lambda bundle (scripts/write-lambda-validators.ts, loaded as the bundle
// loads it: src/precompiled-validators.ts) must give the same result, the same errors and the same
// mutations (defaults, coerced query strings) on a copy of the data, or the request fails with a
// 500 naming the difference. Test apps built with `checkValidators` use it, so their problem
// bodies prove the Lambda build's byte for byte.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLambdaValidators } from '../../scripts/write-lambda-validators.js';
import { precompiledValidators, readValidatorIndex, validatorKey } from '../../src/precompiled-validators.js';
import { runtimeAjvValidators, type Validator, type ValidatorCompilers } from '../../src/validation.js';

let generated: Promise<string> | undefined;

/** Generated once per test process, removed when it exits. */
export function generatedValidatorsDir(): Promise<string> {
  generated ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatewire-validators-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await writeLambdaValidators(dir);
    return dir;
  })();
  return generated;
}

/** `dir`: default the validators generated from this source tree. */
export async function checkedValidators(dir?: string): Promise<ValidatorCompilers> {
  dir ??= await generatedValidatorsDir();
  const index = readValidatorIndex(dir);
  const precompiled = precompiledValidators(dir, index);
  return (options) => {
    const runtimeFactory = runtimeAjvValidators(options);
    const precompiledFactory = precompiled(options);
    return (externalSchemas, serverOptions) => {
      const runtime = runtimeFactory(externalSchemas, serverOptions);
      const generatedCode = precompiledFactory(externalSchemas, serverOptions);
      return (routeSchema) => {
        const expected = runtime(routeSchema);
        // Only the server has routes outside /v1 (its docs plugins, /metrics); every /v1 route
        // part must have generated code, or compiling it throws here.
        if (!routeSchema.url?.startsWith('/v1') && index.validators[validatorKey(routeSchema)] === undefined) return expected;
        const actual = generatedCode(routeSchema);
        const validate: Validator = (data) => {
          const copy = structuredClone(data);
          const result = expected(data);
          validate.errors = expected.errors;
          const other = actual(copy);
          const differences = [
            result !== other && `result ${String(result)} vs ${String(other)}`,
            JSON.stringify(expected.errors) !== JSON.stringify(actual.errors) &&
              `errors ${JSON.stringify(expected.errors)?.slice(0, 2000)} vs ${JSON.stringify(actual.errors)?.slice(0, 2000)}`,
            JSON.stringify(data) !== JSON.stringify(copy) && `data ${JSON.stringify(data)} vs ${JSON.stringify(copy)}`,
          ].filter(Boolean);
          if (differences.length > 0) throw new Error(`validators differ for ${validatorKey(routeSchema)}: ${differences.join('; ')}`);
          return result;
        };
        return validate;
      };
    };
  };
}
