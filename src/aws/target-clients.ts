// The AWS clients of each target (issue 19), built on first use: the target's region, and the
// credentials of the role it is reached through, assumed with Gatewire's own identity, cached and
// refreshed before they expire (account-credentials.ts). The default target is not built here: it
// is the clients Gatewire always had (its own credentials).
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Target } from '../domain/targets.js';
import { createAssumeRoleCredentialProvider } from './account-credentials.js';
import { createAwsClients, type AwsClientOptions, type AwsClients } from './clients.js';
import type { StsPort } from './sts.js';

export interface TargetClientsOptions {
  /** Everything but region and credentials, as the default clients have it. */
  base: Omit<AwsClientOptions, 'region' | 'credentials' | 'limiters' | 'readCoalescer'>;
  /** The target's account and region budget (aws/account-budget.ts): its own limiters and read coalescer; none when absent. */
  budgetFor?: (target: Target) => Pick<AwsClientOptions, 'limiters' | 'readCoalescer'>;
  /** Gatewire's own STS (the default clients'): who assumes the targets' roles. */
  sts: Pick<StsPort, 'assumeRole'>;
  now?: () => number;
}

export interface TargetClients {
  /** A target's credentials: its role's, assumed on first use and refreshed before expiry. */
  credentialsFor(target: Target & { roleArn: string }): AwsCredentialIdentityProvider;
  clientsFor(target: Target & { roleArn: string }): AwsClients;
  destroy(): void;
}

export function createTargetClients(options: TargetClientsOptions): TargetClients {
  const credentials = new Map<string, AwsCredentialIdentityProvider>();
  const clients = new Map<string, AwsClients>();

  function credentialsFor(target: Target & { roleArn: string }): AwsCredentialIdentityProvider {
    let provider = credentials.get(target.name);
    if (!provider) {
      provider = createAssumeRoleCredentialProvider({
        roleArn: target.roleArn,
        sts: options.sts,
        // CloudTrail in the target account shows which target the session serves.
        sessionName: `gatewire-${target.name}`.slice(0, 64),
        ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      credentials.set(target.name, provider);
    }
    return provider;
  }

  return {
    credentialsFor,
    clientsFor(target) {
      let built = clients.get(target.name);
      if (!built) {
        built = createAwsClients({ ...options.base, ...options.budgetFor?.(target), region: target.region, credentials: credentialsFor(target) });
        clients.set(target.name, built);
      }
      return built;
    },
    destroy() {
      for (const built of clients.values()) built.destroy();
      clients.clear();
    },
  };
}
