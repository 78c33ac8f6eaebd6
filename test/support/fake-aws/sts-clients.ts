// A real SDK v3 STS client pointed at a fake (the same dummy credentials as sdk-clients.ts).
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { FakeAws } from './index.js';

export function stsClientFor(fake: FakeAws, options: { credentials?: AwsCredentialIdentity; maxAttempts?: number } = {}): STSClient {
  return new STSClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: options.credentials ?? { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: options.maxAttempts ?? 1,
  });
}
