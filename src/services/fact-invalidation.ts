// The Lambda port as the change path uses it, telling the fact cache when a function turns out to
// be gone: a cached function ARN must not outlive the function (fact-cache.ts).
import { isDomainError } from '../domain/errors.js';
import { forgetFunction, type FactCache } from './fact-cache.js';
import type { LambdaPort } from './ports.js';

export function forgettingGoneFunctions(lambda: LambdaPort, facts: FactCache): LambdaPort {
  const forgetOnNotFound =
    (functionArn: string) =>
    (error: unknown): never => {
      if (isDomainError(error) && error.kind === 'not-found') forgetFunction(facts, functionArn);
      throw error;
    };
  return {
    ...lambda,
    getPolicy: (functionArn, qualifier) => lambda.getPolicy(functionArn, qualifier).catch(forgetOnNotFound(functionArn)),
    addPermission: (input) => lambda.addPermission(input).catch(forgetOnNotFound(input.functionName)),
  };
}
