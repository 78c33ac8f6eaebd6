// Which role writes the policy of a function in another account (issue 19): the fleet's target
// role of that account, unless GATEWIRE_CROSS_ACCOUNT_ROLES names one. So a function in account B,
// wired from an API in account A, gets its statement written with B's role; `unverifiable` is left
// for accounts outside the fleet and the configured roles.
import type { Target } from './targets.js';

export interface FleetRoles {
  roles: Record<string, string>;
  externalIds: Record<string, string>;
}

export function fleetRolesFor(targets: readonly Target[], configured: Readonly<Record<string, string>>, ownAccount: string | undefined): FleetRoles {
  const roles: Record<string, string> = {};
  const externalIds: Record<string, string> = {};
  // Own account unknown (GATEWIRE_ACCOUNT_ID unset): a target role might be of the own account, whose
  // functions Gatewire writes with its own credentials; only the configured roles apply then.
  for (const target of ownAccount === undefined ? [] : targets) {
    const account = target.accountId;
    // The first target of an account gives its role (IAM roles are global, not regional).
    if (account === undefined || target.roleArn === undefined || account === ownAccount || roles[account] !== undefined) continue;
    roles[account] = target.roleArn;
    if (target.externalId !== undefined) externalIds[account] = target.externalId;
  }
  for (const [account, roleArn] of Object.entries(configured)) {
    // A configured role wins; the target's external id goes with the target's role only.
    if (roles[account] !== roleArn) delete externalIds[account];
    roles[account] = roleArn;
  }
  return { roles, externalIds };
}
