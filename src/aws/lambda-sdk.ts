// What Gatewire uses of the SDK's Lambda package, imported on first use only (aws/clients.ts,
// lambda.ts, lambda-continuation.ts): a dynamic import of the package itself would keep every
// command in the bundle's chunk, while named re-exports let esbuild drop the rest.
export { AddPermissionCommand, GetFunctionCommand, GetPolicyCommand, InvokeCommand, LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
