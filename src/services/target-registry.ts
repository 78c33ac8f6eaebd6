// Targets by name (issue 19): which services a path acts through, and whether each target can be
// reached. A name not configured is a 404 naming it, before any AWS call; a target whose role
// cannot be assumed is a 502 naming it, before any change starts. Reachability (GET /v1/targets)
// is AssumeRole plus STS GetCallerIdentity with the assumed credentials: cheap, needs no IAM
// permission, and spends none of the API Gateway budget; answers are reused for `checkTtlMs`.
import { DomainError } from '../domain/errors.js';
import { DEFAULT_TARGET, type Target } from '../domain/targets.js';
import type { TargetServices } from '../target-services.js';
import type { WebSocketApi } from '../domain/model.js';

export interface TargetStatus {
  name: string;
  /** Undefined only for the default target while STS cannot say. */
  accountId: string | undefined;
  region: string;
  default: boolean;
  reachable: boolean;
  /** Why not, when unreachable. */
  problem?: string;
  checkedAt: string;
}

export interface TargetRegistry {
  /** The services of a target, its credentials obtained; throws not-found (unknown) or upstream (unreachable). */
  resolve(name: string): Promise<TargetServices>;
  /** Every target with its (briefly cached) reachability. */
  list(): Promise<TargetStatus[]>;
  /** The fleet view: every target's WebSocket APIs, each marked with its target; targets that failed apart. */
  listApis(): Promise<FleetApis>;
}

export interface FleetApis {
  items: (WebSocketApi & { target: string })[];
  /** Targets whose APIs could not be listed (unreachable, or AWS failed), and why. */
  unreachable?: { target: string; problem: string }[];
}

type RoleTarget = Target & { roleArn: string };

export interface TargetRegistryDeps {
  targets: readonly Target[];
  defaultServices: TargetServices;
  servicesFor(target: RoleTarget): TargetServices;
  /** The role's credentials (assumed on first use, cached, refreshed before expiry). */
  credentialsFor(target: RoleTarget): () => Promise<unknown>;
  /** The account a target's credentials act in (GetCallerIdentity); for `default`, Gatewire's own. */
  identityOf(target: Target): Promise<string>;
  checkTtlMs: number;
  now: () => number;
}

export function createTargetRegistry(deps: TargetRegistryDeps): TargetRegistry {
  const byName = new Map(deps.targets.map((target) => [target.name, target]));
  const services = new Map<string, TargetServices>([[DEFAULT_TARGET, deps.defaultServices]]);
  const checks = new Map<string, { at: number; status: Promise<TargetStatus> }>();

  function find(name: string): Target {
    const target = byName.get(name);
    if (!target) {
      throw new DomainError('not-found', `No target is named "${name}": GET /v1/targets lists the configured ones`);
    }
    return target;
  }

  function unreachable(target: Target, error: unknown): DomainError {
    const aws = error instanceof DomainError ? error.aws : undefined;
    return new DomainError(
      'upstream',
      `Target "${target.name}" (account ${target.accountId ?? 'unknown'}, ${target.region}) is unreachable: ` +
        `Gatewire could not assume its role${aws ? ` (${aws.error})` : ''}; nothing was changed`,
      { ...(aws ? { aws } : {}), cause: error },
    );
  }

  async function check(target: Target): Promise<TargetStatus> {
    const base = { name: target.name, region: target.region, default: target.name === DEFAULT_TARGET, checkedAt: new Date(deps.now()).toISOString() };
    try {
      const accountId = await deps.identityOf(target);
      if (target.accountId !== undefined && accountId !== target.accountId) {
        return { ...base, accountId: target.accountId, reachable: false, problem: `its credentials act in account ${accountId}, not ${target.accountId}` };
      }
      return { ...base, accountId, reachable: true };
    } catch (error) {
      return { ...base, accountId: target.accountId, reachable: false, problem: (target.roleArn ? unreachable(target, error) : asDomain(error)).message };
    }
  }

  const registry: TargetRegistry = {
    async listApis() {
      // One target failing does not hide the others: it is listed under `unreachable`.
      const listed = await Promise.all(
        deps.targets.map(async (target) => {
          try {
            const services = await registry.resolve(target.name);
            return { items: (await services.apis.listApis()).map((api) => ({ ...api, target: target.name })) };
          } catch (error) {
            return { error: asDomain(error), unreachable: { target: target.name, problem: asDomain(error).message } };
          }
        }),
      );
      // Nothing listed at all (one target, as before targets): the failure is the answer, a 502 or 503.
      const firstError = listed[0]?.error;
      if (firstError && listed.every((entry) => entry.error)) throw firstError;
      const items = listed.flatMap((entry) => entry.items ?? []);
      const unreachable = listed.flatMap((entry) => (entry.unreachable ? [entry.unreachable] : []));
      return unreachable.length > 0 ? { items, unreachable } : { items };
    },
    async resolve(name) {
      const target = find(name);
      if (target.roleArn === undefined) return deps.defaultServices;
      const roleTarget = target as RoleTarget;
      try {
        // Before any change: a role that cannot be assumed stops the request here, with nothing done.
        await deps.credentialsFor(roleTarget)();
      } catch (error) {
        throw unreachable(target, error);
      }
      let built = services.get(name);
      if (!built) {
        built = deps.servicesFor(roleTarget);
        services.set(name, built);
      }
      return built;
    },
    async list() {
      const now = deps.now();
      return Promise.all(
        deps.targets.map((target) => {
          const cached = checks.get(target.name);
          if (cached && now - cached.at < deps.checkTtlMs) return cached.status;
          const status = check(target);
          checks.set(target.name, { at: now, status });
          return status;
        }),
      );
    },
  };
  return registry;
}

function asDomain(error: unknown): DomainError {
  return error instanceof DomainError ? error : new DomainError('upstream', 'the reachability check failed', { cause: error });
}
