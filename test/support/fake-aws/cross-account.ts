// Lambda policy writes must be made with credentials of the function's account: AddPermission and
// RemovePermission cannot be delegated across accounts (reference §4). Reads (GetPolicy, GetFunction)
// stay open to any caller. The caller's account comes from the SigV4 access key (see sts.ts).
import { lambdaError } from './errors.js';
import type { LambdaFunctions } from './lambda-functions.js';
import { label, type Operation } from './operations.js';
import { sessionPolicyAllows, type FakeSts } from './sts.js';

const POLICY_WRITES = new Set(['AddPermission', 'RemovePermission']);
const POLICY_CALLS = new Set([...POLICY_WRITES, 'GetPolicy']);

export function requireFunctionAccount(operations: readonly Operation[], functions: LambdaFunctions, sts: FakeSts): Operation[] {
  return operations.map((operation) => {
    if (!POLICY_CALLS.has(operation.name)) return operation;
    return {
      ...operation,
      handle(request) {
        let owner: { accountId: string; resourceArn: string } | undefined;
        try {
          const resolved = functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
          owner = { accountId: resolved.fn.accountId, resourceArn: resolved.resourceArn };
        } catch {
          // Let the operation answer its own 400/404.
        }
        const caller = sts.identityOf(request.accessKeyId);
        // An assumed-role session does only what its session policy allows too (reads included).
        if (owner && !sessionPolicyAllows(caller.sessionPolicy, `lambda:${operation.name}`, owner.resourceArn)) {
          throw lambdaError(
            403,
            'AccessDeniedException',
            `User: ${caller.arn} is not authorized to perform: lambda:${operation.name} on resource: ${owner.resourceArn} ` +
              'because no session policy allows the lambda:' + operation.name + ' action',
          );
        }
        if (owner && POLICY_WRITES.has(operation.name) && owner.accountId !== caller.accountId) {
          throw lambdaError(
            403,
            'AccessDeniedException',
            `User: ${caller.arn} is not authorized to perform: lambda:${operation.name} on resource: ${owner.resourceArn} ` +
              `because no resource-based policy allows the lambda:${operation.name} action`,
          );
        }
        return operation.handle(request);
      },
    };
  });
}
