// LambdaPort over the SDK's LambdaClient.
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DomainError } from '../domain/errors.js';
import type { LambdaPort } from '../services/ports.js';
import { sendWithConflictRetry } from './send.js';

export function createLambdaAdapter(client: LambdaClient): LambdaPort {
  return {
    async resolveFunctionArn(functionName, qualifier) {
      const output = await sendWithConflictRetry(() =>
        client.send(new GetFunctionCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) })),
      );
      const arn = output.Configuration?.FunctionArn;
      if (!arn) throw new DomainError('upstream', `Lambda returned no ARN for function ${functionName}`);
      // GetFunction answers with the qualified ARN when asked with a qualifier; build it from the
      // first seven ARN parts so that the result never depends on that.
      const unqualified = arn.split(':').slice(0, 7).join(':');
      return qualifier ? `${unqualified}:${qualifier}` : unqualified;
    },
  };
}
