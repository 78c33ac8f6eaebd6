// Credentials for acting in another account: a provider that assumes the configured role, caches the
// temporary credentials and refreshes them before they expire. Concurrent callers share one
// AssumeRole call. Handed to a LambdaClient as its `credentials`.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { StsPort } from './sts.js';

export interface AssumeRoleProviderOptions {
  roleArn: string;
  sts: Pick<StsPort, 'assumeRole'>;
  sessionName?: string;
  durationSeconds?: number;
  /** A session policy (JSON): the session may do only what both it and the role allow. */
  policy?: string;
  /** The role's required sts:ExternalId, if any. */
  externalId?: string;
  /** Refresh this long before expiry (default 5 minutes). */
  refreshMarginMs?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_NAME = 'gatewire';
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export function createAssumeRoleCredentialProvider(options: AssumeRoleProviderOptions): AwsCredentialIdentityProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fresh = (identity: AwsCredentialIdentity | undefined): identity is AwsCredentialIdentity =>
    identity !== undefined && (identity.expiration === undefined || identity.expiration.getTime() - margin > now());

  return async () => {
    if (fresh(cached)) return cached;
    inFlight ??= options.sts
      .assumeRole({
        roleArn: options.roleArn,
        sessionName: options.sessionName ?? DEFAULT_SESSION_NAME,
        ...(options.durationSeconds !== undefined ? { durationSeconds: options.durationSeconds } : {}),
        ...(options.policy !== undefined ? { policy: options.policy } : {}),
        ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
      })
      .then((credentials) => {
        cached = {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          sessionToken: credentials.sessionToken,
          expiration: credentials.expiration,
        };
        return cached;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
