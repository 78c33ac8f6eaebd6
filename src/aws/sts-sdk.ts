// What Gatewire uses of the SDK's STS package, imported on first use only (aws/clients.ts, sts.ts):
// named re-exports, so that esbuild drops the package's other commands from the chunk.
export { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
