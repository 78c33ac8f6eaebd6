// STS over the SDK's STSClient: who Gatewire runs as (GetCallerIdentity) and temporary credentials
// in another account (AssumeRole), for writing function policies there (reference §4: AddPermission
// cannot be delegated across accounts).
// The SDK's STS package is imported with the first call (issue 15: not at a cold start).
import type { STSClient } from '@aws-sdk/client-sts';
import { DomainError } from '../domain/errors.js';
import type { LazyClient } from './clients.js';
import { toDomainError } from './errors.js';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleInput {
  roleArn: string;
  sessionName: string;
  /** 900 to the role's maximum (default 3600). */
  durationSeconds?: number;
  /** An inline session policy (JSON, at most 2048 characters packed): it narrows what the session may do. */
  policy?: string;
  /** What the role's trust policy requires as sts:ExternalId (a target's, issue 19). */
  externalId?: string;
}

export interface StsPort {
  callerIdentity(): Promise<CallerIdentity>;
  assumeRole(input: AssumeRoleInput): Promise<TemporaryCredentials>;
}

export function createStsAdapter(client: LazyClient<STSClient>): StsPort {
  /** `work` gets the client and the SDK's package, both loaded on first use. */
  async function send<T>(work: (client: STSClient, sdk: typeof import('./sts-sdk.js')) => Promise<T>): Promise<T> {
    try {
      const [built, sdk] = await Promise.all([client.use(), import('./sts-sdk.js')]);
      return await work(built, sdk);
    } catch (error) {
      throw toDomainError(error);
    }
  }
  return {
    async callerIdentity() {
      const output = await send((client, sdk) => client.send(new sdk.GetCallerIdentityCommand({})));
      if (!output.Account || !output.Arn) throw new DomainError('upstream', 'STS GetCallerIdentity returned no account');
      return { account: output.Account, arn: output.Arn, userId: output.UserId ?? '' };
    },
    async assumeRole(input) {
      const output = await send((client, sdk) =>
        client.send(
          new sdk.AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            ...(input.durationSeconds !== undefined ? { DurationSeconds: input.durationSeconds } : {}),
            ...(input.policy !== undefined ? { Policy: input.policy } : {}),
            ...(input.externalId !== undefined ? { ExternalId: input.externalId } : {}),
          }),
        ),
      );
      const credentials = output.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
        throw new DomainError("upstream", "STS AssumeRole returned no credentials for the cross-account role");
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    },
  };
}
